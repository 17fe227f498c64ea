build/jemalloc/src/db/object.o: src/db/object.c src/db/object.h \
 src/base/kstr.h src/base/alloc.h
src/db/object.h:
src/base/kstr.h:
src/base/alloc.h:
