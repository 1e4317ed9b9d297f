# Empty dependencies file for orb.
# This may be replaced when dependencies are built.
