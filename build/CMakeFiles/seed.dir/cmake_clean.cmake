file(REMOVE_RECURSE
  "CMakeFiles/seed.dir/examples/seed.c.o"
  "CMakeFiles/seed.dir/examples/seed.c.o.d"
  "seed"
  "seed.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/seed.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
