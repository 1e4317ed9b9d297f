file(REMOVE_RECURSE
  "CMakeFiles/orm.dir/orm/src/buf.c.o"
  "CMakeFiles/orm.dir/orm/src/buf.c.o.d"
  "CMakeFiles/orm.dir/orm/src/error.c.o"
  "CMakeFiles/orm.dir/orm/src/error.c.o.d"
  "CMakeFiles/orm.dir/orm/src/model.c.o"
  "CMakeFiles/orm.dir/orm/src/model.c.o.d"
  "CMakeFiles/orm.dir/orm/src/value.c.o"
  "CMakeFiles/orm.dir/orm/src/value.c.o.d"
  "liborm.a"
  "liborm.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/orm.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
