/* replay.c — runs a fuzz target's LLVMFuzzerTestOneInput over every file of the given folders
 * (the committed seed corpus), so ordinary, ASan and valgrind builds check the corpus without
 * libFuzzer. Exit 0 when every input ran. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  int runs = 0;
  for (int a = 1; a < argc; a++) {
    DIR *d = opendir(argv[a]);
    if (!d) {
      fprintf(stderr, "replay: cannot open %s\n", argv[a]);
      return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
      FILE *f = fopen(path, "rb");
      if (!f) continue;
      fseek(f, 0, SEEK_END);
      long n = ftell(f);
      fseek(f, 0, SEEK_SET);
      uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
      size_t got = fread(buf, 1, n > 0 ? (size_t)n : 0, f);
      fclose(f);
      LLVMFuzzerTestOneInput(buf, got);
      free(buf);
      runs++;
    }
    closedir(d);
  }
  printf("replay: %d inputs ran\n", runs);
  return runs > 0 ? 0 : 1;
}
