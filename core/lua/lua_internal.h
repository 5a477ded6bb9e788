/* lua_internal.h — helpers shared by the files of the Lua binding (the .c files of core/lua):
 * metatable names, tensor userdata, raising library errors, the registry. Not part of the public
 * SDK.
 *
 * Memory rule of the binding: anything a binding allocates before it may raise a Lua error
 * lives inside a userdata (so the collector frees it) or is freed before the error is raised.
 * Tensors made here keep their numbers inside the userdata: there is nothing to free. */
#ifndef GRADLAB_LUA_INTERNAL_H
#define GRADLAB_LUA_INTERNAL_H

#include <lauxlib.h>
#include <lua.h>
#include <signal.h>
#include <stdint.h>

#include "gradlab/error.h"
#include "gradlab/registry.h"
#include "gradlab/tape.h"
#include "gradlab/tensor.h"

typedef struct glab_dataset glab_dataset;
typedef struct glab_runlog glab_runlog;

/* Metatable names (luaL_newmetatable / luaL_checkudata). */
#define GLAB_LUA_TENSOR "gradlab.tensor"
#define GLAB_LUA_MODEL "gradlab.model"
#define GLAB_LUA_LAYER "gradlab.layer"
#define GLAB_LUA_OPTIM "gradlab.optimizer"
#define GLAB_LUA_DATASET "gradlab.dataset" /* owned by lua_data.c */

struct glab_lua_model;

/* The tensor userdata. A plain tensor owns its numbers (stored right after this struct, inside
 * the same userdata). A node tensor (what net:forward and the losses return) points at a value
 * on a model's tape; it is valid until that model runs forward again (then it reads as stale and
 * every use raises "tensor is stale"). */
typedef struct glab_lua_tensor {
  glab_tensor t;                /* t.data: the userdata's tail, or the node's value */
  glab_var *var;                /* the tape node, or NULL for a plain tensor */
  struct glab_lua_model *model; /* the node's model (kept alive through the user value) */
  unsigned long gen;            /* the model's forward count when this node was made */
} glab_lua_tensor;

/* ---- tensors (lua_tensor.c) ---- */
/* Push a new zero-filled plain tensor; raises a Lua error on a bad shape. */
glab_tensor *glab_lua_new_tensor(lua_State *L, int ndim, const int *shape);
/* Push a plain copy of `src`. */
glab_tensor *glab_lua_push_tensor(lua_State *L, const glab_tensor *src);
/* Push a node tensor for `v` on `model`'s tape (model userdata at stack index `model_idx`). */
glab_lua_tensor *glab_lua_push_node(lua_State *L, int model_idx, glab_var *v);
/* 1 if the value at `arg` is a tensor userdata. */
int glab_lua_is_tensor(lua_State *L, int arg);
/* The tensor userdata at `arg` (plain or a valid node); argument error otherwise. */
glab_lua_tensor *glab_lua_check_tensor_ud(lua_State *L, int arg);
const glab_tensor *glab_lua_check_tensor(lua_State *L, int arg);
/* Like glab_lua_check_tensor, but also accepts a number or a nested table of numbers, which is
 * converted into a new plain tensor that replaces the value at `arg` on the stack. */
const glab_tensor *glab_lua_to_tensor(lua_State *L, int arg);
/* The same, returning the userdata (a plain one for a converted table). */
glab_lua_tensor *glab_lua_to_tensor_ud(lua_State *L, int arg);
/* Convert a nested table (or a number) at `idx` and push the new tensor. */
glab_tensor *glab_lua_table_to_tensor(lua_State *L, int idx, int arg_for_errors);

/* ---- argument errors (lua_module.c) ----
 * Lua names a function in an argument error by the call it sees, and says '?' when it sees none
 * (a method passed to pcall). The binding's methods are named by their class instead
 * ("net:forward", "layer:param", "dataset:get", "opt:step", "tensor:item"), however they are
 * called, counting arguments after self as a method call does. These replace the luaL_ checks of
 * the same names (module functions keep Lua's own naming). */
int glab_lua_argerror(lua_State *L, int arg, const char *msg);
int glab_lua_typeerror(lua_State *L, int arg, const char *tname);
void glab_lua_checktype(lua_State *L, int arg, int t);
/* Raise on a key of the options table at `idx` (nil: no options) that is not in `known`
 * (NULL-terminated), with the nearest name or the list of options; integer keys 1..narray are
 * the table's array part (a sequential's layers) and allowed. */
void glab_lua_check_options(lua_State *L, int narray, int idx, const char *fname,
                            const char *const *known);
void *glab_lua_checkudata(lua_State *L, int arg, const char *tname);
lua_Integer glab_lua_checkinteger(lua_State *L, int arg);
lua_Integer glab_lua_optinteger(lua_State *L, int arg, lua_Integer def);
lua_Number glab_lua_checknumber(lua_State *L, int arg);
lua_Number glab_lua_optnumber(lua_State *L, int arg, lua_Number def);
const char *glab_lua_checkstring(lua_State *L, int arg);
#define glab_lua_argcheck(L, cond, arg, msg) ((void)((cond) || glab_lua_argerror(L, (arg), (msg))))
/* A userdata of `header` + count·elem bytes, pushed (lua_newuserdatauv under a protected
 * call): an allocation the Lua allocator refuses, or a size that overflows, is the error "fname:
 * cannot allocate <count·elem> bytes for <what>" at the script's position (fname: the running
 * function's name), not Lua's bare "not enough memory". */
void *glab_lua_newuserdata(lua_State *L, size_t header, size_t count, size_t elem, int nuv,
                           const char *what);
/* The name of the running binding function ("gradlab.zeros", "dataset:batch"), or `fallback`. */
const char *glab_lua_fname(lua_State *L, const char *fallback);

/* ---- errors and shared state (lua_module.c) ---- */
/* Raise a Lua error "fname: <glab_last_error()>" at the caller's position. Never returns. */
int glab_lua_fail(lua_State *L, const char *fname);
/* Push (and return) a number as a message shows it: a value with an integer value exactly
 * (4294967296, not 4.294967296e+09), NaN as "nan" whatever its sign bit (0/0 is -nan on x86),
 * "inf"/"-inf", other floats with Lua's %.14g. */
const char *glab_lua_push_number_text(lua_State *L, lua_Number v);
/* Push (and return) the value at `idx` as a message shows it: numbers as above, strings quoted
 * ("\"abc\""), anything else by its type name. */
const char *glab_lua_push_value_text(lua_State *L, int idx);
/* The value at `idx` as an integer in lo..hi: a Lua integer, a float with an integer value
 * (3.0), or a string Lua converts to one. Otherwise NULL, with the reason pushed and returned:
 * "<what> must be an integer, got inf", "<what> must be >= 1, got 0", "<what> is 4294967296,
 * more than 2147483647" — a value is never cut to its low bits (2^32 + 3 is not 3) nor read as
 * 0 (inf, 1e300). */
const char *glab_lua_int_problem(lua_State *L, int idx, lua_Integer lo, lua_Integer hi,
                                 const char *what, lua_Integer *out);
/* The same, raising "fname: <reason>" at the caller's position. */
lua_Integer glab_lua_check_int(lua_State *L, int idx, lua_Integer lo, lua_Integer hi,
                               const char *fname, const char *what);
/* The same for argument `arg` of a function, raised as an argument error. */
lua_Integer glab_lua_check_int_arg(lua_State *L, int arg, lua_Integer lo, lua_Integer hi,
                                   const char *what);
/* The registry every binding uses (the process-wide default registry). */
glab_registry *glab_lua_registry(lua_State *L);
/* Set fields `funcs` on the table at the top of the stack (luaL_setfuncs with no upvalues). */
void glab_lua_setfuncs(lua_State *L, const luaL_Reg *funcs);
/* A new metatable `name` with __index = itself and the given methods; leaves it popped. */
void glab_lua_newclass(lua_State *L, const char *name, const luaL_Reg *methods);

/* ---- the module's parts: each adds its functions to the module table on top ---- */
void glab_lua_open_tensor(lua_State *L); /* gradlab.tensor, gradlab.zeros */
void glab_lua_open_layer(lua_State *L);  /* gradlab.layer.<type> */
void glab_lua_open_model(lua_State *L);  /* gradlab.sequential */
void glab_lua_open_optim(lua_State *L);  /* gradlab.optim.<type> */
void glab_lua_open_loss(lua_State *L);   /* gradlab.loss.* */
void glab_lua_open_train(lua_State *L);  /* gradlab.train, gradlab.pretrain */
void glab_lua_open_stats(lua_State *L);  /* statistics methods (added to layer/model classes) */
void glab_lua_open_sweep(lua_State *L);  /* gradlab.sweep */
void glab_lua_open_result(lua_State *L); /* gradlab.flatten_result */

/* The module entry point (lua_module.c), preloaded by `gradlab run`. */
int luaopen_gradlab(lua_State *L);

/* ---- the run context (lua_module.c), set by `gradlab run` after luaopen_gradlab ---- */
void glab_lua_set_outdir(lua_State *L, const char *dir);
/* gradlab.params[key] = text converted as glab_lua_push_param_value does. */
void glab_lua_set_param(lua_State *L, const char *key, const char *text);
/* A --set value pushed as gradlab.params holds it: "true"/"false" are booleans; a decimal number
 * — [+-] digits [. digits] [e [+-] digits], with a digit before the exponent — is a number (an
 * integer when Lua reads it as one); anything else stays the string it is (0x10, inf, nan, " 3",
 * which Lua alone would partly read as numbers). The value is pushed in every case; the return
 * says whether the number is usable: GLAB_LUA_PARAM_INFINITE for one too large for a double
 * (1e400), GLAB_LUA_PARAM_UNDERFLOW for a non-zero literal that reads as 0 (1e-400). */
enum { GLAB_LUA_PARAM_OK = 0, GLAB_LUA_PARAM_INFINITE, GLAB_LUA_PARAM_UNDERFLOW };
int glab_lua_push_param_value(lua_State *L, const char *text);
/* 1 once gradlab.sweep wrote the grid for the batch runner and ended the script. */
int glab_lua_sweep_ended(lua_State *L);
void glab_lua_mark_sweep_ended(lua_State *L);
/* 1 inside `gradlab run` (an out dir was set), 0 in stock lua. */
int glab_lua_in_run(lua_State *L);
lua_Integer glab_lua_current_seed(lua_State *L);
/* The largest seed (2^53-1): exact as a Lua integer and as a JSON number (a double). Seeds are
 * 0..GLAB_LUA_SEED_MAX in --seed and gradlab.seed(n). */
#define GLAB_LUA_SEED_MAX 9007199254740991LL
/* The run's seed into summary.json, as exact integer digits. */
void glab_lua_record_seed(glab_runlog *log, uint64_t seed);
/* Every type of `reg` into summary.json's "plugins" (absolute file paths; each type once). */
void glab_lua_record_plugins(glab_runlog *log, glab_registry *reg);
/* The script's result (the value at `idx`: a table, or a single value stored as "value") into
 * the run log's summary "result", flattened (lua_result.c): raises a Lua error naming the key for
 * anything that cannot be stored without losing or inventing data (colliding flat keys, keys
 * that are not strings or integers, functions, userdata, integers beyond 2^53, nesting deeper
 * than 8). */
void glab_lua_store_result(lua_State *L, int idx, glab_runlog *log);
/* The run log of `gradlab run` (models created afterwards write metrics and events to it). */
void glab_lua_set_runlog(lua_State *L, glab_runlog *log);
glab_runlog *glab_lua_runlog(lua_State *L);

/* ---- stopping a run (lua_module.c): signals and os.exit under `gradlab run` ---- */
/* The signal that asked the run to stop (0: none). Set by gradlab run's signal handler; the
 * binding's training loop checks it at every step and ends with "interrupted by signal N". */
extern volatile sig_atomic_t glab_lua_signal;
/* Arm the stop hook on L: from the next Lua instruction on, every instruction raises again
 * (so a pcall in the script cannot swallow the stop) — the value given to glab_lua_stop_with,
 * else "FILE:LINE: interrupted by signal N". Async-signal-safe (lua_sethook is). */
void glab_lua_arm_stop(lua_State *L);
/* Stop the run with the value at the top of the stack as the error object (os.exit's
 * sentinel): remembered, the hook armed on L and on the main thread, then raised. */
int glab_lua_stop_with(lua_State *L);
/* Raise "interrupted by signal N" at the caller's position (and arm the hook on L). */
int glab_lua_raise_interrupt(lua_State *L);

/* ---- option tables (lua_config.c) ---- */
/* Convert the option table at `idx` into a new config, checked against `opts` (Lua types by the
 * declared kinds; strings parsed as the declared kind; unknown keys passed through so that
 * glab_config_validate names them with a suggestion). Keys named in `skip` (an option table
 * ended by GLAB_OPTIONS_END, may be NULL: the options the caller handles itself, e.g.
 * glab_layer_generic_options()) and integer keys (the array part) are ignored. Pushes a box
 * userdata that frees the config when collected: the config is valid while the box is on the
 * stack. */
glab_config *glab_lua_check_config(lua_State *L, int idx, const glab_option *opts,
                                   const char *fname, const glab_option *skip);

/* ---- layers (lua_layer.c) ---- */
typedef struct glab_lua_layer {
  glab_layer *l; /* NULL once destroyed (see gone) */
  int owned;     /* 1: this userdata destroys the layer; 0: a parent layer or a model does */
  int gone;      /* why l is NULL: GLAB_LUA_LAYER_FAILED or GLAB_LUA_LAYER_COLLECTED */
} glab_lua_layer;
enum { GLAB_LUA_LAYER_FAILED = 1, GLAB_LUA_LAYER_COLLECTED = 2 };
/* The layer userdata at `arg` (alive, and so is every container and model it belongs to);
 * argument error otherwise. */
glab_lua_layer *glab_lua_check_layer(lua_State *L, int arg);
/* NULL when the layer userdata at idx can be used; else why not (its layer, or a container or
 * model it belongs to, was destroyed). */
const char *glab_lua_layer_dead(lua_State *L, int idx);
/* Forget the userdata of `l` and its children (before the layers are destroyed: a new layer may
 * get the same address). */
void glab_lua_forget_layer(lua_State *L, glab_layer *l);
/* Push a list of the layers[0..n-1] and their descendants (while they are alive), for
 * glab_lua_forget_list after a failed constructor destroyed them. */
void glab_lua_push_layer_list(lua_State *L, glab_layer *const *layers, int n);
void glab_lua_forget_list(lua_State *L, int list);
/* Push the userdata of `l` (the existing one if Lua has it), keeping `owner_idx` (the model or
 * parent userdata) alive through it. */
void glab_lua_push_layer(lua_State *L, glab_layer *l, int owner_idx);
/* Hand the layer at `arg` to the container userdata at `owner_idx` (error if already owned). */
glab_layer *glab_lua_adopt_layer(lua_State *L, int arg, int owner_idx, const char *fname);
/* The model userdata a layer belongs to pushed on the stack, or nil (follows the owner chain). */
int glab_lua_push_layer_model(lua_State *L, int layer_idx);
/* The nearest registered type name of `kind` to `name`, or NULL. */
const char *glab_lua_suggest_type(lua_State *L, glab_type_kind kind, const char *name);
/* Push "a, b, c": the registered type names of `kind`. */
void glab_lua_push_type_names(lua_State *L, glab_type_kind kind);
/* Error prefix helper: "fname: msg" where a leading "type: " in glab_last_error() is dropped. */
int glab_lua_fail_type(lua_State *L, const char *fname, const char *type);

/* ---- models (lua_model.c) ---- */
/* The widths of consecutive layers (ls[0..n-1], run in order: a model's layers, a residual's
 * children) that can be told from the options of the shipped types — dense inputs -> outputs,
 * batchnorm features, rnn/lstm inputs -> hidden, residual inputs -> outputs (or its children's),
 * sigmoid/tanh/relu keep the width; any other type is not assumed to do anything — must fit:
 * raises "fname: <what> 3 (dense) takes 5 features (inputs=5), but <what> 1 (dense) gives 4
 * (outputs=4)". */
void glab_lua_check_widths(lua_State *L, glab_layer *const *ls, int n, const char *fname,
                           const char *what);
typedef struct glab_model glab_model;
typedef struct glab_trainer glab_trainer;
typedef struct glab_runlog glab_runlog;
struct glab_event;
struct glab_lua_model {
  glab_model *m;
  glab_trainer *tr; /* tape, recorder, steps and events of this model */
  int loss;         /* the glab_loss_kind last used with this model, -1 before any */
  int busy;         /* 1 while gradlab.train/pretrain runs it (callbacks must not touch it) */
  int pending;      /* 1 after net:forward, 2 once a loss was taken from it, 0 after backward:
                       while a step waits for its backward, running the model again (evaluate,
                       tostring's shapes) would replace the outputs its statistics read */
  int collected;    /* 1 once __gc ran (m and tr are NULL then) */
  int in_ndim;      /* the last forward's input shape (for tostring) */
  int in_shape[GLAB_MAX_DIMS];
};
struct glab_lua_model *glab_lua_check_model(lua_State *L, int arg);
/* The same, and an error naming `fname` if the model is being trained right now. */
struct glab_lua_model *glab_lua_check_idle_model(lua_State *L, int arg, const char *fname);
/* Push true for GLAB_OK; false, message for a non-finite event unless the policy is "raise";
 * raise otherwise. */
int glab_lua_nonfinite_result(lua_State *L, struct glab_lua_model *m, int status,
                              const char *fname);
int glab_lua_default_loss(struct glab_lua_model *m, glab_dataset *d);
/* mse/bce on class labels of K > 2 classes need K outputs (one-hot targets): with one output the
 * core takes the label itself as the target (meant for 2 classes: 0/1). Raises "fname: loss
 * 'mse' on class labels: the data has K classes and the model gives 1 output per item ...",
 * found by a side forward of the first item that leaves the model as it was. */
void glab_lua_check_class_loss(lua_State *L, struct glab_lua_model *m, glab_dataset *d, int loss,
                               const char *fname);
void glab_lua_push_event(lua_State *L, const struct glab_event *e);
/* How many times the model ran forward (node tensors remember it to detect staleness). */
unsigned long glab_lua_model_gen(const struct glab_lua_model *m);

/* ---- optimizers (lua_optim.c) ---- */
typedef struct glab_optimizer glab_optimizer;
glab_optimizer *glab_lua_check_optim(lua_State *L, int arg);

/* ---- data (lua_data.c, the data engineer's file) ---- */
/* Push the `gradlab.data` table (constructors; dataset metatable registered); returns 1. */
int glab_lua_open_data(lua_State *L);
/* The dataset userdata at `arg`; argument error otherwise. */
glab_dataset *glab_lua_check_dataset(lua_State *L, int arg);

#endif
