// Scalar f64 functions the layers' host code shares, in their stable forms.

/** log(1 + e^x) without overflow or loss for large |x|. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** log sigmoid(x) = -softplus(-x). */
export const logSigmoid = (x: number): number => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
