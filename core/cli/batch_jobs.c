/* batch_jobs.c — the job list of 'gradlab batch': --grid/--seeds/--shard parsing, discovery of a
 * script's own gradlab.sweep{} grid, expansion into (script, params, seed) jobs with stable
 * FNV-1a ids, and the JSON form kept in batch.json. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"

/* FNV-1a, 64-bit (Fowler, Noll, Vo; http://www.isthe.com/chongo/tech/comp/fnv/). */
uint64_t batch_fnv1a(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static char *xstrndup(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

static void axis_free(batch_axis *ax) {
  free(ax->key);
  for (int i = 0; i < ax->nvalues; i++)
    free(ax->values[i]);
  free(ax->values);
}

void batch_grid_free(batch_grid *g) {
  for (int i = 0; i < g->n; i++)
    axis_free(&g->axes[i]);
  free(g->axes);
  g->axes = NULL;
  g->n = 0;
}

static batch_axis *grid_find(batch_grid *g, const char *key) {
  for (int i = 0; i < g->n; i++)
    if (!strcmp(g->axes[i].key, key)) return &g->axes[i];
  return NULL;
}

static batch_axis *grid_push(batch_grid *g, const char *key) {
  batch_axis *a = realloc(g->axes, (size_t)(g->n + 1) * sizeof *a);
  if (!a) return NULL;
  g->axes = a;
  a = &g->axes[g->n++];
  memset(a, 0, sizeof *a);
  a->key = strdup(key);
  return a;
}

static int axis_add_value(batch_axis *ax, const char *v, size_t n) {
  char **vals = realloc(ax->values, (size_t)(ax->nvalues + 1) * sizeof *vals);
  if (!vals) return -1;
  ax->values = vals;
  if (!(vals[ax->nvalues] = xstrndup(v, n))) return -1;
  ax->nvalues++;
  return 0;
}

int batch_grid_add(batch_grid *g, const char *spec) {
  const char *eq = strchr(spec, '=');
  if (!eq || eq == spec) {
    cli_error("--grid expects KEY=V1,V2,... (got '%s')", spec);
    return CLI_USAGE;
  }
  char *key = xstrndup(spec, (size_t)(eq - spec));
  if (grid_find(g, key)) {
    cli_error("--grid %s given twice", key);
    free(key);
    return CLI_USAGE;
  }
  batch_axis *ax = grid_push(g, key);
  free(key);
  if (!ax) return cli_error("out of memory");
  for (const char *p = eq + 1;;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (n == 0) {
      cli_error("--grid %s: empty value in '%s'", ax->key, eq + 1);
      return CLI_USAGE;
    }
    if (axis_add_value(ax, p, n)) return cli_error("out of memory");
    if (!c) break;
    p = c + 1;
  }
  return CLI_OK;
}

static int parse_ll(const char *s, const char *end, long long *v) {
  char *e;
  errno = 0;
  long long x = strtoll(s, &e, 10);
  if (errno || e == s || e != end) return -1;
  *v = x;
  return 0;
}

/* A seed 'gradlab run --seed' accepts (0..2^53-1), else a usage error naming it. */
static int seed_in_range(const char *spec, long long v) {
  if (v >= 0 && v <= BATCH_SEED_MAX) return 0;
  cli_error("--seeds %s: seed %lld is out of range; seeds are integers 0..%lld (2^53-1), as "
            "'gradlab run --seed' takes",
            spec, v, (long long)BATCH_SEED_MAX);
  return -1;
}

int batch_parse_seeds(const char *spec, long long *lo, long long *hi) {
  const char *dots = strstr(spec, "..");
  if (!dots) {
    if (parse_ll(spec, spec + strlen(spec), lo)) goto bad;
    *hi = *lo;
    return seed_in_range(spec, *lo) ? CLI_USAGE : CLI_OK;
  }
  if (parse_ll(spec, dots, lo) || parse_ll(dots + 2, dots + strlen(dots), hi)) goto bad;
  if (seed_in_range(spec, *lo) || seed_in_range(spec, *hi)) return CLI_USAGE;
  if (*hi < *lo) {
    cli_error("--seeds A..B needs A <= B (got '%s')", spec);
    return CLI_USAGE;
  }
  unsigned long long span = (unsigned long long)*hi - (unsigned long long)*lo; /* no overflow */
  if (span >= BATCH_MAX_SEEDS) {
    cli_error("--seeds %s is %llu seeds; at most %d per batch (split the range over several "
              "batches, e.g. --out folders merged with 'gradlab merge')",
              spec, span + 1, BATCH_MAX_SEEDS);
    return CLI_USAGE;
  }
  return CLI_OK;
bad:
  cli_error("--seeds expects A..B (integers, A <= B) or one seed (got '%s')", spec);
  return CLI_USAGE;
}

int batch_parse_shard(const char *spec, int *k, int *n) {
  long long kk, nn;
  const char *slash = strchr(spec, '/');
  if (!slash || parse_ll(spec, slash, &kk) || parse_ll(slash + 1, slash + strlen(slash), &nn) ||
      nn < 1 || kk < 1 || kk > nn || nn > BATCH_MAX_SHARDS) {
    cli_error("--shard expects K/N with 1 <= K <= N <= %d (got '%s')", BATCH_MAX_SHARDS, spec);
    return CLI_USAGE;
  }
  *k = (int)kk;
  *n = (int)nn;
  return CLI_OK;
}

int batch_in_shard(const batch_job *j, int k, int n) {
  return n <= 0 || j->index % n == k - 1;
}

/* ---- sweep discovery: run the script once with GRADLAB_SWEEP_OUT=<file> ---- */

static char *json_value_text(const cJSON *v) {
  char buf[64];
  if (cJSON_IsString(v)) return strdup(v->valuestring);
  if (cJSON_IsBool(v)) return strdup(cJSON_IsTrue(v) ? "true" : "false");
  if (cJSON_IsNumber(v)) {
    batch_fmt_number(v->valuedouble, buf, sizeof buf);
    return strdup(buf);
  }
  return NULL;
}

/* Parse {"key":[values...]} (a scalar counts as one value) into g. */
static int sweep_parse(const char *script, const char *text, batch_grid *g) {
  cJSON *root = cJSON_Parse(text);
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return cli_error("%s: gradlab.sweep{} wrote an invalid grid (expected {\"key\":[values]})",
                     script);
  }
  const cJSON *it;
  cJSON_ArrayForEach(it, root) {
    batch_axis *ax = grid_push(g, it->string);
    if (!ax) break;
    const cJSON *v;
    if (cJSON_IsArray(it)) {
      cJSON_ArrayForEach(v, it) {
        char *s = json_value_text(v);
        if (s) axis_add_value(ax, s, strlen(s));
        free(s);
      }
    } else {
      char *s = json_value_text(it);
      if (s) axis_add_value(ax, s, strlen(s));
      free(s);
    }
    if (ax->nvalues == 0) {
      cJSON_Delete(root);
      return cli_error("%s: gradlab.sweep{} key '%s' has no usable values", script, ax->key);
    }
  }
  cJSON_Delete(root);
  return CLI_OK;
}

static int ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Does the script (outside "--" comments) use a field named sweep: gradlab.sweep, g:sweep,
 * gradlab["sweep"]? Only such a script can declare a grid; the others are not run twice (a
 * discovery run of a script that never calls gradlab.sweep is a whole run). */
static int may_sweep(const char *content) {
  const char *line = content;
  while (*line) {
    const char *end = strchr(line, '\n');
    if (!end) end = line + strlen(line);
    for (const char *p = line; p + 5 <= end; p++) {
      if (p[0] == '-' && p[1] == '-') break;
      if (strncmp(p, "sweep", 5) != 0 || p == line) continue;
      char before = p[-1], after = p + 5 < end ? p[5] : '\n';
      if ((before == '.' || before == ':' || before == '"' || before == '\'') && !ident_char(after))
        return 1;
    }
    line = *end ? end + 1 : end;
  }
  return 0;
}

static int sweep_discover(const batch_args *a, const char *script, const char *content,
                          const char *dir, batch_grid *g) {
  if (!may_sweep(content)) return CLI_OK;
  char tmpdir[4096], file[4200], out[4200], err[4200], seed[32];
  uint64_t h = batch_fnv1a(BATCH_FNV_OFFSET, content, strlen(content));
  snprintf(tmpdir, sizeof tmpdir, "%s/.sweep-%016llx-%ld", dir, (unsigned long long)h,
           (long)getpid());
  snprintf(file, sizeof file, "%s/sweep.json", tmpdir);
  snprintf(out, sizeof out, "%s/run", tmpdir);
  snprintf(err, sizeof err, "%s/stderr.txt", tmpdir);
  snprintf(seed, sizeof seed, "%lld", a->seed_lo);
  batch_rmtree(tmpdir);
  if (batch_mkdirs(tmpdir)) return cli_error("cannot create %s: %s", tmpdir, strerror(errno));
  const char *argv[8 + 2 * 64];
  int n = 0;
  argv[n++] = batch_runner();
  argv[n++] = "run";
  argv[n++] = script;
  argv[n++] = "--out";
  argv[n++] = out;
  argv[n++] = "--seed";
  argv[n++] = seed;
  for (int i = 0; i < a->nplugins && i < 64; i++) {
    argv[n++] = "--plugin";
    argv[n++] = a->plugins[i];
  }
  argv[n] = NULL;
  int pid = batch_spawn((char *const *)argv, NULL, err, "GRADLAB_SWEEP_OUT", file);
  int rc = CLI_OK;
  if (pid < 0) {
    rc = cli_error("cannot start %s: %s", argv[0], strerror(errno));
  } else {
    int st = batch_wait(pid, a->timeout > 0 ? a->timeout : 300);
    char *text = cli_read_file(file, NULL);
    if (text) {
      rc = sweep_parse(script, text, g);
      free(text);
    } else if (st != 0) {
      fprintf(stderr,
              "gradlab: warning: %s failed while declaring its sweep (%s); "
              "its jobs will show the error\n",
              script, st == -1 ? "timeout" : "nonzero exit");
    }
  }
  batch_rmtree(tmpdir);
  return rc;
}

/* ---- expansion ---- */

static int cmp_param(const void *x, const void *y) {
  return strcmp(((const batch_param *)x)->key, ((const batch_param *)y)->key);
}

static void job_free(batch_job *j) {
  free(j->script);
  for (int i = 0; i < j->nparams; i++) {
    free(j->params[i].key);
    free(j->params[i].value);
  }
  free(j->params);
}

void batch_list_free(batch_list *l) {
  for (int i = 0; i < l->n; i++)
    job_free(&l->jobs[i]);
  free(l->jobs);
  memset(l, 0, sizeof *l);
}

static batch_job *list_push(batch_list *l) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 64;
    batch_job *j = realloc(l->jobs, (size_t)cap * sizeof *j);
    if (!j) return NULL;
    l->jobs = j;
    l->cap = cap;
  }
  batch_job *j = &l->jobs[l->n++];
  memset(j, 0, sizeof *j);
  return j;
}

static void job_set_id(batch_job *j, uint64_t content_hash) {
  uint64_t h = content_hash;
  h = batch_fnv1a(h, "", 1);
  for (int i = 0; i < j->nparams; i++) {
    h = batch_fnv1a(h, j->params[i].key, strlen(j->params[i].key));
    h = batch_fnv1a(h, "=", 1);
    h = batch_fnv1a(h, j->params[i].value, strlen(j->params[i].value));
    h = batch_fnv1a(h, "\n", 1);
  }
  char seed[40];
  int n = snprintf(seed, sizeof seed, "seed=%lld", j->seed);
  h = batch_fnv1a(h, seed, (size_t)n);
  snprintf(j->id, sizeof j->id, "%016llx", (unsigned long long)h);
}

static const batch_list *sort_list;
static int cmp_by_id(const void *x, const void *y) {
  int a = *(const int *)x, b = *(const int *)y;
  int c = strcmp(sort_list->jobs[a].id, sort_list->jobs[b].id);
  return c ? c : (a > b) - (a < b);
}

/* Drop repeated ids (the same script content listed twice), keeping the first; number the rest. */
static int dedupe(batch_list *l) {
  int *ord = malloc((size_t)(l->n + 1) * sizeof *ord);
  char *drop = calloc((size_t)l->n + 1, 1);
  if (!ord || !drop) {
    free(ord);
    free(drop);
    return cli_error("out of memory");
  }
  for (int i = 0; i < l->n; i++)
    ord[i] = i;
  sort_list = l;
  qsort(ord, (size_t)l->n, sizeof *ord, cmp_by_id);
  for (int i = 1; i < l->n; i++)
    if (!strcmp(l->jobs[ord[i]].id, l->jobs[ord[i - 1]].id)) {
      batch_job *j = &l->jobs[ord[i]];
      fprintf(stderr, "gradlab: warning: job %s (%s seed %lld) is listed twice; it runs once\n",
              j->id, j->script, j->seed);
      drop[ord[i]] = 1;
    }
  int n = 0;
  for (int i = 0; i < l->n; i++) {
    if (drop[i]) {
      job_free(&l->jobs[i]);
      continue;
    }
    l->jobs[n] = l->jobs[i];
    l->jobs[n].index = n;
    n++;
  }
  l->n = n;
  free(ord);
  free(drop);
  return CLI_OK;
}

static int expand_script(const batch_args *a, const char *script, const char *dir,
                         batch_list *out) {
  char *content = cli_read_file(script, NULL);
  if (!content) return cli_error("cannot read script '%s': %s", script, strerror(errno));
  uint64_t ch = batch_fnv1a(BATCH_FNV_OFFSET, content, strlen(content));
  batch_grid g = {0};
  int rc = sweep_discover(a, script, content, dir, &g);
  free(content);
  if (rc) goto done;
  /* CLI values override the script's (in place); CLI-only keys come after. */
  for (int i = 0; i < a->grid.n; i++) {
    const batch_axis *src = &a->grid.axes[i];
    batch_axis *dst = grid_find(&g, src->key);
    if (dst) {
      for (int v = 0; v < dst->nvalues; v++)
        free(dst->values[v]);
      dst->nvalues = 0;
    } else if (!(dst = grid_push(&g, src->key))) {
      rc = cli_error("out of memory");
      goto done;
    }
    for (int v = 0; v < src->nvalues; v++)
      axis_add_value(dst, src->values[v], strlen(src->values[v]));
  }
  /* Odometer over the axes (first axis outermost), seeds innermost. */
  int *pos = calloc((size_t)g.n + 1, sizeof *pos);
  if (!pos) {
    rc = cli_error("out of memory");
    goto done;
  }
  for (;;) {
    for (long long s = a->seed_lo; s <= a->seed_hi; s++) {
      batch_job *j = list_push(out);
      if (!j || !(j->script = strdup(script)) ||
          !(j->params = calloc((size_t)g.n + 1, sizeof *j->params))) {
        rc = cli_error("out of memory");
        break;
      }
      j->seed = s;
      j->nparams = g.n;
      for (int i = 0; i < g.n; i++) {
        j->params[i].key = strdup(g.axes[i].key);
        j->params[i].value = strdup(g.axes[i].values[pos[i]]);
      }
      qsort(j->params, (size_t)j->nparams, sizeof *j->params, cmp_param);
      job_set_id(j, ch);
    }
    if (rc) break;
    int i = g.n - 1;
    while (i >= 0 && ++pos[i] == g.axes[i].nvalues)
      pos[i--] = 0;
    if (i < 0) break;
  }
  free(pos);
done:
  batch_grid_free(&g);
  return rc;
}

int batch_expand(const batch_args *a, const char *dir, batch_list *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < a->nscripts; i++) {
    int rc = expand_script(a, a->scripts[i], dir, out);
    if (rc) {
      batch_list_free(out);
      return rc;
    }
  }
  return dedupe(out);
}

char *batch_params_text(const batch_job *j) {
  size_t n = 1;
  for (int i = 0; i < j->nparams; i++)
    n += strlen(j->params[i].key) + strlen(j->params[i].value) + 2;
  char *s = malloc(n), *p = s;
  if (!s) return NULL;
  *p = '\0';
  for (int i = 0; i < j->nparams; i++)
    p += sprintf(p, "%s%s=%s", i ? " " : "", j->params[i].key, j->params[i].value);
  return s;
}

/* ---- JSON form (batch.json) ---- */

/* An integer written with all its digits: cJSON prints numbers with 15 significant digits when
 * that reads back within its tolerance, which rounds seeds near 2^53 (9007199254740991 would
 * become 9.00719925474099e+15). Up to 2^53 the value reads back exactly as a double. */
cJSON *batch_json_integer(long long v) {
  char digits[32];
  snprintf(digits, sizeof digits, "%lld", v);
  return cJSON_CreateRaw(digits);
}

cJSON *batch_args_to_json(const batch_args *a) {
  cJSON *o = cJSON_CreateObject();
  cJSON *s = cJSON_AddArrayToObject(o, "scripts");
  for (int i = 0; i < a->nscripts; i++)
    cJSON_AddItemToArray(s, cJSON_CreateString(a->scripts[i]));
  cJSON *g = cJSON_AddObjectToObject(o, "grid");
  for (int i = 0; i < a->grid.n; i++)
    cJSON_AddItemToObject(g, a->grid.axes[i].key,
                          cJSON_CreateStringArray((const char *const *)a->grid.axes[i].values,
                                                  a->grid.axes[i].nvalues));
  cJSON *seeds = cJSON_AddArrayToObject(o, "seeds");
  cJSON_AddItemToArray(seeds, batch_json_integer(a->seed_lo));
  cJSON_AddItemToArray(seeds, batch_json_integer(a->seed_hi));
  if (a->shard_n) {
    cJSON *sh = cJSON_AddArrayToObject(o, "shard");
    cJSON_AddItemToArray(sh, cJSON_CreateNumber(a->shard_k));
    cJSON_AddItemToArray(sh, cJSON_CreateNumber(a->shard_n));
  }
  cJSON *p = cJSON_AddArrayToObject(o, "plugins");
  for (int i = 0; i < a->nplugins; i++)
    cJSON_AddItemToArray(p, cJSON_CreateString(a->plugins[i]));
  cJSON_AddNumberToObject(o, "timeout", a->timeout);
  return o;
}

static char **strings_from_json(const cJSON *arr, int *n) {
  *n = cJSON_GetArraySize(arr);
  char **v = calloc((size_t)*n + 1, sizeof *v);
  int i = 0;
  const cJSON *it;
  cJSON_ArrayForEach(it, arr) v[i++] = strdup(cJSON_IsString(it) ? it->valuestring : "");
  return v;
}

int batch_args_from_json(const cJSON *j, batch_args *a) {
  memset(a, 0, sizeof *a);
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "scripts");
  const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(j, "seeds");
  if (!cJSON_IsArray(s) || cJSON_GetArraySize(seeds) != 2) return -1;
  a->scripts = strings_from_json(s, &a->nscripts);
  a->seed_lo = (long long)cJSON_GetArrayItem(seeds, 0)->valuedouble;
  a->seed_hi = (long long)cJSON_GetArrayItem(seeds, 1)->valuedouble;
  const cJSON *sh = cJSON_GetObjectItemCaseSensitive(j, "shard");
  if (cJSON_GetArraySize(sh) == 2) {
    a->shard_k = cJSON_GetArrayItem(sh, 0)->valueint;
    a->shard_n = cJSON_GetArrayItem(sh, 1)->valueint;
  }
  a->plugins = strings_from_json(cJSON_GetObjectItemCaseSensitive(j, "plugins"), &a->nplugins);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "timeout");
  a->timeout = cJSON_IsNumber(t) ? t->valuedouble : 0;
  const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "grid"), *ax;
  cJSON_ArrayForEach(ax, g) {
    batch_axis *dst = grid_push(&a->grid, ax->string);
    const cJSON *v;
    if (dst)
      cJSON_ArrayForEach(v, ax) if (cJSON_IsString(v))
          axis_add_value(dst, v->valuestring, strlen(v->valuestring));
  }
  return 0;
}

void batch_args_free(batch_args *a) {
  for (int i = 0; i < a->nscripts; i++)
    free(a->scripts[i]);
  free(a->scripts);
  for (int i = 0; i < a->nplugins; i++)
    free(a->plugins[i]);
  free(a->plugins);
  batch_grid_free(&a->grid);
  memset(a, 0, sizeof *a);
}

cJSON *batch_list_to_json(const batch_list *l) {
  cJSON *arr = cJSON_CreateArray();
  for (int i = 0; i < l->n; i++) {
    const batch_job *j = &l->jobs[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", j->index);
    cJSON_AddStringToObject(o, "id", j->id);
    cJSON_AddStringToObject(o, "script", j->script);
    cJSON_AddItemToObject(o, "seed", batch_json_integer(j->seed));
    cJSON *p = cJSON_AddObjectToObject(o, "params");
    for (int k = 0; k < j->nparams; k++)
      cJSON_AddStringToObject(p, j->params[k].key, j->params[k].value);
    cJSON_AddItemToArray(arr, o);
  }
  return arr;
}

/* Why job k (1-based) of a batch.json "jobs" list is not one gradlab wrote, into why[]; NULL if
 * it is: an id of 16 hex digits (never a path such as "../victim"), a script, a seed that
 * 'gradlab run --seed' takes, an index, string parameters. */
static const char *job_json_damage(const cJSON *o, int k, char *why, size_t n) {
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
  const cJSON *seed = cJSON_GetObjectItemCaseSensitive(o, "seed");
  const cJSON *idx = cJSON_GetObjectItemCaseSensitive(o, "index");
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "params"), *kv;
  if (!cJSON_IsObject(o))
    snprintf(why, n, "job %d of its \"jobs\" list is not an object", k);
  else if (!cJSON_IsString(id))
    snprintf(why, n, "job %d of its \"jobs\" list has no \"id\"", k);
  else if (strlen(id->valuestring) != 16 || strspn(id->valuestring, "0123456789abcdef") != 16)
    snprintf(why, n, "job %d of its \"jobs\" list has the id \"%.40s\", not 16 hex digits", k,
             id->valuestring);
  else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "script")))
    snprintf(why, n, "job %s of its \"jobs\" list has no \"script\"", id->valuestring);
  else if (!cJSON_IsNumber(seed) || seed->valuedouble != floor(seed->valuedouble) ||
           seed->valuedouble < 0 || seed->valuedouble > (double)BATCH_SEED_MAX) {
    char v[40] = "no \"seed\"";
    if (cJSON_IsNumber(seed)) {
      strcpy(v, "the seed ");
      batch_fmt_number(seed->valuedouble, v + 9, sizeof v - 9);
    }
    snprintf(why, n,
             "job %s of its \"jobs\" list has %s; seeds are integers 0..%lld, as 'gradlab run "
             "--seed' takes",
             id->valuestring, v, BATCH_SEED_MAX);
  } else if (!cJSON_IsNumber(idx) || idx->valuedouble != floor(idx->valuedouble) ||
             idx->valuedouble < 0 || idx->valuedouble > 2147483647.0)
    snprintf(why, n, "job %s of its \"jobs\" list has no \"index\" (a whole number from 0)",
             id->valuestring);
  else if (p && !cJSON_IsObject(p))
    snprintf(why, n, "job %s of its \"jobs\" list has \"params\" that are not an object",
             id->valuestring);
  else {
    cJSON_ArrayForEach(kv, p) if (!cJSON_IsString(kv)) {
      snprintf(why, n, "job %s of its \"jobs\" list has a parameter %.40s that is not a string",
               id->valuestring, kv->string);
      return why;
    }
    return NULL;
  }
  return why;
}

int batch_list_from_json(const cJSON *arr, batch_list *out, char *why, size_t whyn) {
  memset(out, 0, sizeof *out);
  char own[160];
  if (!why) why = own, whyn = sizeof own;
  why[0] = '\0';
  const cJSON *o;
  int k = 0;
  cJSON_ArrayForEach(o, arr) {
    if (job_json_damage(o, ++k, why, whyn)) {
      batch_list_free(out);
      return -1;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "script");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(o, "seed");
    const cJSON *idx = cJSON_GetObjectItemCaseSensitive(o, "index");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "params");
    batch_job *j = list_push(out);
    if (!j) break;
    memcpy(j->id, id->valuestring, 17);
    j->script = strdup(sc->valuestring);
    j->seed = (long long)seed->valuedouble;
    j->index = (int)idx->valuedouble;
    j->params = calloc((size_t)cJSON_GetArraySize(p) + 1, sizeof *j->params);
    const cJSON *kv;
    cJSON_ArrayForEach(kv, p) {
      j->params[j->nparams].key = strdup(kv->string);
      j->params[j->nparams].value = strdup(kv->valuestring);
      j->nparams++;
    }
    qsort(j->params, (size_t)j->nparams, sizeof *j->params, cmp_param);
  }
  return 0;
}
