CMakeFiles/seed.dir/examples/seed.c.o: /work/main/examples/seed.c \
 /usr/include/stdc-predef.h
