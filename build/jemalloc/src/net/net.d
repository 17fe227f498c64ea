build/jemalloc/src/net/net.o: src/net/net.c src/net/net.h
src/net/net.h:
