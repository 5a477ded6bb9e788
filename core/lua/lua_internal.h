/* lua_internal.h — helpers shared by the files of the Lua binding (core/lua/*.c): metatable
 * names, tensor userdata, raising library errors, the registry. Not part of the public SDK.
 *
 * Memory rule of the binding: anything a binding allocates before it may raise a Lua error
 * lives inside a userdata (so the collector frees it) or is freed before the error is raised.
 * Tensors made here keep their numbers inside the userdata: there is nothing to free. */
#ifndef GRADLAB_LUA_INTERNAL_H
#define GRADLAB_LUA_INTERNAL_H

#include <lauxlib.h>
#include <lua.h>

#include "gradlab/error.h"
#include "gradlab/registry.h"
#include "gradlab/tape.h"
#include "gradlab/tensor.h"

typedef struct glab_dataset glab_dataset;

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
  glab_tensor t;               /* t.data: the userdata's tail, or the node's value */
  glab_var *var;               /* the tape node, or NULL for a plain tensor */
  struct glab_lua_model *model; /* the node's model (kept alive through the user value) */
  unsigned long gen;           /* the model's forward count when this node was made */
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
/* Convert a nested table (or a number) at `idx` and push the new tensor. */
glab_tensor *glab_lua_table_to_tensor(lua_State *L, int idx, int arg_for_errors);

/* ---- errors and shared state (lua_module.c) ---- */
/* Raise a Lua error "fname: <glab_last_error()>" at the caller's position. Never returns. */
int glab_lua_fail(lua_State *L, const char *fname);
/* The registry every binding uses (the process-wide default registry). */
glab_registry *glab_lua_registry(lua_State *L);
/* Set fields `funcs` on the table at the top of the stack (luaL_setfuncs with no upvalues). */
void glab_lua_setfuncs(lua_State *L, const luaL_Reg *funcs);
/* A new metatable `name` with __index = itself and the given methods; leaves it popped. */
void glab_lua_newclass(lua_State *L, const char *name, const luaL_Reg *methods);

/* ---- data (lua_data.c, the data engineer's file) ---- */
/* Push the `gradlab.data` table (constructors; dataset metatable registered); returns 1. */
int glab_lua_open_data(lua_State *L);
/* The dataset userdata at `arg`; argument error otherwise. */
glab_dataset *glab_lua_check_dataset(lua_State *L, int arg);

#endif
