# Empty dependencies file for orbapp.
# This may be replaced when dependencies are built.
