build/jemalloc/src/event/ev.o: src/event/ev.c src/event/ev.h \
 src/base/alloc.h
src/event/ev.h:
src/base/alloc.h:
