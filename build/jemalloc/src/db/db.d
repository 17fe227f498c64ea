build/jemalloc/src/db/db.o: src/db/db.c src/db/db.h src/base/kstr.h \
 src/db/object.h src/ds/ht.h src/base/alloc.h src/base/clock.h \
 src/base/hash.h
src/db/db.h:
src/base/kstr.h:
src/db/object.h:
src/ds/ht.h:
src/base/alloc.h:
src/base/clock.h:
src/base/hash.h:
