build/jemalloc/src/db/expire.o: src/db/expire.c src/db/db.h \
 src/base/kstr.h src/db/object.h src/ds/ht.h src/base/alloc.h \
 src/base/clock.h
src/db/db.h:
src/base/kstr.h:
src/db/object.h:
src/ds/ht.h:
src/base/alloc.h:
src/base/clock.h:
