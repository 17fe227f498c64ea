build/jemalloc/src/proto/resp_parse.o: src/proto/resp_parse.c \
 src/proto/resp_parse.h src/base/splitargs.h
src/proto/resp_parse.h:
src/base/splitargs.h:
