file(REMOVE_RECURSE
  "liborbapp.a"
)
