file(REMOVE_RECURSE
  "CMakeFiles/orb.dir/tui/main.c.o"
  "CMakeFiles/orb.dir/tui/main.c.o.d"
  "orb"
  "orb.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/orb.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
