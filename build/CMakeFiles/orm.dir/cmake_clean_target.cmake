file(REMOVE_RECURSE
  "liborm.a"
)
