build/jemalloc/src/cmd/tmp_families.o: src/cmd/tmp_families.c \
 src/core/families.h src/core/command.h
src/core/families.h:
src/core/command.h:
