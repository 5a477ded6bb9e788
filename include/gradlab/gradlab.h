/* gradlab.h — the whole public SDK in one include. */
#ifndef GRADLAB_H
#define GRADLAB_H
#include "gradlab/config.h"
#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/ops.h"
#include "gradlab/optim.h"
#include "gradlab/pretrain.h"
#include "gradlab/registry.h"
#include "gradlab/rng.h"
#include "gradlab/tape.h"
#include "gradlab/tensor.h"
#include "gradlab/gradcheck.h"
#include "gradlab/stats.h"
#include "gradlab/model.h"
#include "gradlab/data.h"
#include "gradlab/train.h"
#include "gradlab/blas.h"
#endif
