# Empty dependencies file for seed.
# This may be replaced when dependencies are built.
