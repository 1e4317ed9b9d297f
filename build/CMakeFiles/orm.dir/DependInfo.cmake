
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/orm/src/buf.c" "CMakeFiles/orm.dir/orm/src/buf.c.o" "gcc" "CMakeFiles/orm.dir/orm/src/buf.c.o.d"
  "/work/main/orm/src/error.c" "CMakeFiles/orm.dir/orm/src/error.c.o" "gcc" "CMakeFiles/orm.dir/orm/src/error.c.o.d"
  "/work/main/orm/src/model.c" "CMakeFiles/orm.dir/orm/src/model.c.o" "gcc" "CMakeFiles/orm.dir/orm/src/model.c.o.d"
  "/work/main/orm/src/value.c" "CMakeFiles/orm.dir/orm/src/value.c.o" "gcc" "CMakeFiles/orm.dir/orm/src/value.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
