# Empty dependencies file for orm.
# This may be replaced when dependencies are built.
