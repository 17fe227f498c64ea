build/jemalloc/src/proto/reply.o: src/proto/reply.c src/proto/reply.h \
 src/base/alloc.h src/base/util.h
src/proto/reply.h:
src/base/alloc.h:
src/base/util.h:
