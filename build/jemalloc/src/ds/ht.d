build/jemalloc/src/ds/ht.o: src/ds/ht.c src/ds/ht.h src/base/alloc.h
src/ds/ht.h:
src/base/alloc.h:
