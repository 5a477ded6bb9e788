/* blas.h — the BLAS thread team of the process (DESIGN 3: one team for the whole process). */
#ifndef GRADLAB_BLAS_H
#define GRADLAB_BLAS_H

#ifdef __cplusplus
extern "C" {
#endif

/* The BLAS's threads, or 0 when the BLAS in use cannot say (not OpenBLAS). */
int glab_blas_threads(void);
/* Set them (n >= 1; OpenBLAS caps n at the cores it was built for). GLAB_OK, or an error
 * (GLAB_ERR_ARG for n < 1, GLAB_ERR_NOTFOUND when the BLAS in use cannot set them). */
int glab_set_blas_threads(int n);

#ifdef __cplusplus
}
#endif
#endif
