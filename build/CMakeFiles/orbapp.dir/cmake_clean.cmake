file(REMOVE_RECURSE
  "CMakeFiles/orbapp.dir/orm/src/buf.c.o"
  "CMakeFiles/orbapp.dir/orm/src/buf.c.o.d"
  "liborbapp.a"
  "liborbapp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/orbapp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
