build/jemalloc/src/core/cmdtable.o: src/core/cmdtable.c src/base/alloc.h \
 src/base/hash.h src/core/command.h src/core/families.h src/ds/ht.h
src/base/alloc.h:
src/base/hash.h:
src/core/command.h:
src/core/families.h:
src/ds/ht.h:
