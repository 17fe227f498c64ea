build/jemalloc/src/base/splitargs.o: src/base/splitargs.c \
 src/base/splitargs.h
src/base/splitargs.h:
