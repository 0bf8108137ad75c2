"""
Draws the conformance cases and evaluates them on the reference, in one process per run.

    /usr/bin/python3 test/conformance/generate.py SEED BUDGET OUT.json

Cases follow data-apis/array-api-tests' strategies (array_api_tests/hypothesis_helpers.py and the test_*.py
that use them), re-implemented over numpy.random (hypothesis is not installed here): shapes of rank 0-4 with
empty axes and size-1 axes, mutually broadcastable pairs, the dtypes gpukit has (bool, int32, uint32, float32,
float16), values biased to boundaries (0, -0.0, ±1, NaN, ±Inf, the dtype's min/max, smallest normal and
subnormal), and keyword arguments drawn like the suite's hh.kwargs (each key present or left at its
default). Special cases come from the 2021.12 stubs' text (specials.py). The reference is numpy.array_api
(the strict 2021.12 implementation in NumPy 1.24); NumPy for what later revisions added (cumulative_sum,
searchsorted, take). Float elementwise values are the float64 evaluation rounded once to the result dtype
(so the reference adds at most half an ULP); sums carry Σ|x| per output element for their error bound.

Output: JSON {version, seed, budget, spec: {...parse report}, cases: [...]}: arrays as
{dtype, shape, b64} (little-endian bytes; bool one byte each). The TS side validates all of it.
"""
import base64
import json
import math
import os
import sys
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import numpy.array_api as xp  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import specials  # noqa: E402

VERSION = 1
SEED = int(sys.argv[1])
BUDGET = int(sys.argv[2])
OUT = sys.argv[3]
rng = np.random.default_rng(SEED)

NP = {"bool": np.bool_, "int32": np.int32, "uint32": np.uint32, "float32": np.float32, "float16": np.float16}
XP = {"bool": xp.bool, "int32": xp.int32, "uint32": xp.uint32, "float32": xp.float32, "float16": xp.float32, "int64": xp.int64, "float64": xp.float64, "uint64": xp.uint64}
FLOATS = ["float32", "float16"]
INTS = ["int32", "uint32"]
CATS = {
    "bool": ["bool"],
    "int": INTS,
    "float": FLOATS,
    "numeric": INTS + FLOATS,
    "int_or_bool": ["bool"] + INTS,
    "all": ["bool"] + INTS + FLOATS,
}
MAX_SIZE = 96
# numpy.array_api has no float16 (the standard makes it optional): a float16 input reaches the reference as
# the float32 array of the same values, and a result that only float16 inputs produced is rounded back to
# float16 (the standard's promotion keeps float16 ⊕ float16 in float16); the ULP bounds allow that rounding.  # elements per drawn array: small, so a run stays fast on two cores


def X(a, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        return xp.asarray(a, dtype=dtype)
    return xp.asarray(a.astype(np.float32) if a.dtype == np.float16 else a)


def f16_result(r, inputs, force=None):
    """float32 results back to float16 where every float input was float16; where a dtype was asked for
    (force), exactly when it is float16."""
    fl = [a.dtype for a in inputs if np.asarray(a).dtype.kind == "f"]
    if force is not None:
        if force != "float16":
            return r
    elif not fl or any(d != np.float16 for d in fl):
        return r
    if isinstance(r, tuple):
        return tuple(f16_result(x, inputs, force) for x in r)
    a = np.asarray(r)
    return a.astype(np.float16) if a.dtype == np.float32 else r


def pick(seq, p=None):
    return seq[rng.choice(len(seq), p=p)]


def draw_dtype(cat):
    """float16 a quarter as often as float32: gpukit has it only where the device has shader-f16."""
    ds = CATS[cat]
    w = np.array([0.25 if d == "float16" else 1.0 for d in ds])
    return pick(ds, w / w.sum())


# --- shapes (hh.shapes: min_dims 0, min_side 0; xps.array_shapes) ------------------------------------------
def draw_side():
    r = rng.random()
    return 0 if r < 0.06 else 1 if r < 0.3 else int(rng.integers(2, 7))


def draw_shape(min_dims=0, max_dims=4, min_side=0):
    for _ in range(100):
        nd = int(rng.integers(min_dims, max_dims + 1))
        s = tuple(max(draw_side(), min_side) for _ in range(nd))
        if math.prod(s) <= MAX_SIZE:
            return s
    return (1,) * min_dims


def broadcastable_pair(min_dims=0):
    """hh.two_mutually_broadcastable_shapes: a shape, and one made from it by dropping leading axes and setting some to 1."""
    s = draw_shape(min_dims)
    t = list(s[int(rng.integers(0, len(s) + 1)):]) if rng.random() < 0.4 else list(s)
    t = [1 if rng.random() < 0.25 else d for d in t]
    pair = [s, tuple(t)]
    if rng.random() < 0.5:
        pair.reverse()
    return pair


# --- values (hh.from_dtype, biased to boundaries) ---------------------------------------------------------
def float_specials(dt):
    fi = np.finfo(NP[dt])
    tiny, sub = float(fi.tiny), float(fi.smallest_subnormal)
    return [0.0, -0.0, 1.0, -1.0, math.nan, math.inf, -math.inf, float(fi.max), -float(fi.max), tiny, -tiny, sub, -sub, 0.5, -0.5, 2.0, -2.0]


def draw_floats(dt, n):
    out = np.empty(n, dtype=np.float64)
    sp = float_specials(dt)
    for i in range(n):
        r = rng.random()
        if r < 0.2:
            out[i] = pick(sp)
        elif r < 0.5:
            out[i] = rng.uniform(-10, 10)
        elif r < 0.65:
            out[i] = float(rng.integers(-20, 21)) + (0.5 if rng.random() < 0.3 else 0.0)
        else:
            e = rng.uniform(-30, 30) if dt == "float32" else rng.uniform(-6, 4.5)
            out[i] = (1 if rng.random() < 0.5 else -1) * 10.0 ** e
    return out.astype(NP[dt])


def draw_ints(dt, n, lo=None, hi=None):
    info = np.iinfo(NP[dt])
    lo = int(info.min) if lo is None else lo
    hi = int(info.max) if hi is None else hi
    sp = [v for v in [0, 1, -1, 2, int(info.min), int(info.max), int(info.min) + 1, int(info.max) - 1] if lo <= v <= hi]
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.2 and sp:
            out.append(pick(sp))
        elif r < 0.75:
            out.append(int(rng.integers(max(lo, -100), min(hi, 100) + 1)))
        else:
            out.append(int(rng.integers(lo, hi + 1)))
    return np.array(out, dtype=NP[dt])


def draw_values(dt, shape, lo=None, hi=None):
    n = math.prod(shape)
    if dt == "bool":
        a = rng.random(n) < 0.5
    elif dt in FLOATS:
        a = draw_floats(dt, n)
        if lo is not None:
            a = np.where(np.isfinite(a), np.clip(a, lo, hi), lo).astype(NP[dt])
    else:
        a = draw_ints(dt, n, lo, hi)
    return a.astype(NP[dt]).reshape(shape)


# --- serialisation ---------------------------------------------------------------------------------------
def enc(a):
    a = np.asarray(a)
    dt = a.dtype
    name = "bool" if dt == np.bool_ else dt.name
    a = a.astype(dt.newbyteorder("<"), copy=True, order="C")  # not ascontiguousarray: it makes 0-d arrays 1-d
    return {"dtype": name, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}


def to_np(v):
    return np.asarray(v) if not isinstance(v, (list, tuple)) else v


def fnum(v):
    """A JSON number, or {"float": "nan" | "inf" | "-inf" | "-0"} where JSON has none."""
    v = float(v)
    if math.isnan(v):
        return {"float": "nan"}
    if math.isinf(v):
        return {"float": "inf" if v > 0 else "-inf"}
    if v == 0 and math.copysign(1, v) < 0:
        return {"float": "-0"}
    return v


CASES = []
SPECIAL_COUNT = {}


def emit(fn, args, kwargs, expected, tol=None, special=None, kind="random"):
    c = {"fn": fn, "kind": kind, "args": args, "kwargs": kwargs, "expected": expected}
    if tol is not None:
        c["tol"] = tol
    if special is not None:
        c["special"] = special
    CASES.append(c)


def evaluate(call):
    """Runs the reference; an exception becomes {"error": its type name}."""
    try:
        return call(), None
    except Exception as e:  # the reference's refusal is the expected outcome
        return None, {"error": type(e).__name__, "message": str(e)[:200]}


def result_of(r):
    if isinstance(r, tuple):
        return {"tuple": [result_of(x) for x in r]}
    if isinstance(r, str):
        return {"scalar": r}
    if isinstance(r, (bool, int, float)) and not isinstance(r, np.generic):
        return {"scalar": fnum(r) if isinstance(r, float) else r}
    return {"array": enc(np.asarray(r))}


# --- elementwise ---------------------------------------------------------------------------------------
UNARY = {
    "abs": "numeric", "acos": "float", "acosh": "float", "asin": "float", "asinh": "float", "atan": "float", "atanh": "float",
    "bitwise_invert": "int_or_bool", "ceil": "numeric", "cos": "float", "cosh": "float", "exp": "float", "expm1": "float",
    "floor": "numeric", "isfinite": "numeric", "isinf": "numeric", "isnan": "numeric", "log": "float", "log1p": "float",
    "log2": "float", "log10": "float", "logical_not": "bool", "negative": "numeric", "positive": "numeric", "round": "numeric",
    "sign": "numeric", "sin": "float", "sinh": "float", "square": "numeric", "sqrt": "float", "tan": "float", "tanh": "float",
    "trunc": "numeric",
}
BINARY = {
    "add": "numeric", "atan2": "float", "bitwise_and": "int_or_bool", "bitwise_left_shift": "int", "bitwise_or": "int_or_bool",
    "bitwise_right_shift": "int", "bitwise_xor": "int_or_bool", "divide": "float", "equal": "all", "floor_divide": "numeric",
    "greater": "numeric", "greater_equal": "numeric", "less": "numeric", "less_equal": "numeric", "logaddexp": "float",
    "logical_and": "bool", "logical_or": "bool", "logical_xor": "bool", "multiply": "numeric", "not_equal": "all",
    "pow": "numeric", "remainder": "numeric", "subtract": "numeric",
}
# Correctly rounded in IEEE arithmetic (WGSL's +, −, ×, comparisons, rounding functions): exact. divide and
# sqrt: WGSL allows 2.5 ULP. The transcendental functions: WGSL bounds them by a few ULP or, near zeros of the
# result, by an absolute error (2⁻²¹ for log-type, 2⁻¹¹ for sin/cos on [−π, π]); we hold them to 4 ULP or
# that absolute error, and float16 (11-bit significand) to 2 ULP more.
ULP = {
    "divide": (3, 0), "sqrt": (3, 0), "atan2": (5, 0), "logaddexp": (5, 2 ** -21),
    "exp": (5, 0), "expm1": (5, 2 ** -21), "log": (4, 2 ** -21), "log1p": (5, 2 ** -21), "log2": (4, 2 ** -21), "log10": (4, 2 ** -21),
    "sin": (4, 2 ** -11), "cos": (4, 2 ** -11), "tan": (6, 2 ** -11), "sinh": (5, 2 ** -21), "cosh": (5, 0), "tanh": (5, 2 ** -21),
    "asin": (5, 2 ** -21), "acos": (5, 2 ** -21), "atan": (5, 2 ** -21), "asinh": (5, 2 ** -21), "acosh": (5, 2 ** -21), "atanh": (5, 2 ** -21),
    "pow": (6, 0),
}


def exp_growth(fn, ins, shape):
    """WGSL bounds exp(x) by 3 + 2·|x| ULP (and exp2 alike); the functions built on it inherit the 2·|argument|
    term: exp, expm1, sinh, cosh (argument x) and pow (argument y·log2|x|). None for the others."""
    with np.errstate(all="ignore"):
        if fn in ("exp", "expm1", "sinh", "cosh"):
            g = 2 * np.abs(ins[0].astype(np.float64))
        elif fn == "pow":
            g = 2 * np.abs(ins[1].astype(np.float64) * np.log2(np.abs(ins[0].astype(np.float64))))
        else:
            return None
        g = np.broadcast_to(np.where(np.isfinite(g), np.ceil(g), 0.0), shape)
    return np.minimum(g, 1 << 20).astype(np.float64)


def same_class(ref, own):
    """Where the float64 value (rounded) and the reference's own float evaluation disagree on finite /
    infinite / NaN (an intermediate overflow in float32, as in var of 1e19s), either is a conforming answer:
    the standard sets no accuracy. Those elements are not compared."""
    ref, own = np.asarray(ref), np.asarray(own)
    return (np.isnan(ref) == np.isnan(own)) & (np.isinf(ref) == np.isinf(own))


def float64_eval(fn, arrays):
    """The float64 value of fn on the float inputs, via numpy.array_api (ints and bools as they are)."""
    return np.asarray(getattr(xp, fn)(*[xp.asarray(a.astype(np.float64)) if a.dtype.kind == "f" else xp.asarray(a) for a in arrays]))


def elementwise_case(fn, arrays, scalar_pos=None, scalar=None):
    ins = [X(a) for a in arrays]
    call_ins = list(ins)
    if scalar_pos is not None:
        # A Python scalar operand: the standard converts it to the array's dtype (array-api-tests'
        # array_and_py_scalar); the 2021.12 functions take arrays only, so the reference gets that 0-d array.
        call_ins.insert(scalar_pos, X(scalar, dtype=ins[0].dtype))
    res, err = evaluate(lambda: getattr(xp, fn)(*call_ins))
    args = [{"array": i} for i in range(len(arrays))]
    if scalar_pos is not None:
        args.insert(scalar_pos, {"scalar": fnum(scalar) if isinstance(scalar, float) else scalar})
    inputs = [enc(a) for a in arrays]
    if err is not None:
        emit(fn, args, {}, err | {"inputs": inputs})
        return
    out = f16_result(np.asarray(res), arrays)
    exp = {"inputs": inputs, "array": enc(out)}
    tol = None
    np_ins = [np.asarray(a) for a in call_ins]
    if out.dtype.kind == "f":
        ref = float64_eval(fn, np_ins).astype(out.dtype)
        exp["array"] = enc(ref)
        care = same_class(ref, out)
        if not care.all():
            exp["care"] = enc(care)
        ulp, atol = ULP.get(fn, (0, 0))
        if out.dtype == np.float16 and ulp > 0:
            ulp += 2
        tol = {"ulp": ulp, "atol": atol}
        growth = exp_growth(fn, np_ins, out.shape)
        if growth is not None:
            tol["ulps"] = enc(ulp + growth)
    elif out.dtype.kind in "iu":
        # Integer overflow is unspecified by the standard (array-api-tests filters those elements): mark the
        # elements whose exact value leaves the dtype's range, or divide by zero, as "don't care".
        exact = float64_eval(fn, [a.astype(np.float64) for a in np_ins]) if fn not in ("bitwise_left_shift", "bitwise_right_shift", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert") else None
        care = np.ones(out.shape, dtype=bool)
        if exact is not None:
            info = np.iinfo(out.dtype)
            care &= np.isfinite(exact) & (exact >= int(info.min)) & (exact <= int(info.max))
        if fn in ("floor_divide", "remainder"):
            care &= np.broadcast_to(np_ins[1] != 0, out.shape)
        if fn in ("bitwise_left_shift", "bitwise_right_shift"):
            care &= np.broadcast_to(np_ins[1].astype(np.int64) < 32, out.shape)
        if not care.all():
            exp["care"] = enc(care)
    emit(fn, args, {}, exp, tol)


def gen_unary(fn, cat, n):
    for _ in range(n):
        dt = draw_dtype(cat)
        elementwise_case(fn, [draw_values(dt, draw_shape())])


def promotable_pair(cat):
    """hh.mutually_promotable_dtypes over gpukit's dtypes: the same dtype, float16 with float32, and (rarely) int32 with uint32."""
    dt = draw_dtype(cat)
    r = rng.random()
    if dt in FLOATS and cat in ("float", "numeric", "all") and r < 0.2:
        return ("float16", "float32") if rng.random() < 0.5 else ("float32", "float16")
    if dt in INTS and cat in ("int", "numeric", "all", "int_or_bool") and r < 0.1:
        return ("int32", "uint32") if rng.random() < 0.5 else ("uint32", "int32")
    return (dt, dt)


def gen_binary(fn, cat, n):
    for i in range(n):
        d1, d2 = promotable_pair(cat)
        s1, s2 = broadcastable_pair()
        lo2 = hi2 = None
        if fn in ("bitwise_left_shift", "bitwise_right_shift"):
            lo2, hi2 = 0, 40  # the standard: shift counts are non-negative
        if fn == "pow" and d2 in INTS:
            lo2, hi2 = 0, 12  # NumPy refuses integers to negative integer powers for the whole call
        a, b = draw_values(d1, s1), draw_values(d2, s2, lo2, hi2)
        if i % 5 == 4 and cat != "bool":
            # array-api-tests' array_and_py_scalar: an array and a Python scalar of its kind
            x = draw_values(d1, draw_shape())
            if d1 in FLOATS:
                s = float(draw_floats("float16" if d1 == "float16" else "float32", 1)[0])
            elif d1 == "bool":
                s = bool(rng.random() < 0.5)
            else:
                s = int(draw_ints(d1, 1, lo2, hi2)[0]) if lo2 is not None else int(rng.integers(-50 if d1 == "int32" else 0, 51))
            elementwise_case(fn, [x], scalar_pos=1, scalar=s)
            continue
        elementwise_case(fn, [a, b])


def special_pool(case, dt):
    """Candidates for a special case's inputs: the dtype's boundaries, the values the sentence names (± and
    a step either side), integers, odd integers, halves and random finite values; rounded to dt."""
    p = float_specials(dt) + [3.0, -3.0, 5.0, -5.0, 1.5, -1.5, 2.5, -2.5, 0.25, -0.25, 10.0, -10.0, 0.75, -0.75]
    for v in case.vals:
        if math.isfinite(v):
            p += [v, -v, float(np.nextafter(NP[dt](v), NP[dt](math.inf))), float(np.nextafter(NP[dt](v), NP[dt](-math.inf))), v + 1, v - 1, v * 2, v / 2]
    p += [float(rng.uniform(-10, 10)) for _ in range(16)] + [float(rng.integers(-30, 30)) for _ in range(8)]
    p += [float(2 * rng.integers(-15, 15) + 1) for _ in range(6)] + [float(rng.integers(-1000, 1000)) + 0.5 for _ in range(6)]
    return [float(NP[dt](v)) for v in p]


def draw_special_inputs(case, dt, k):
    """k inputs meeting the condition, by rejection; each input is half the time one of the values the sentence
    names (or its negation), so conjunctions such as "abs(x1_i) is 1 and x2_i is +infinity" are met often."""
    pool = special_pool(case, dt)
    named = [float(NP[dt](v)) for v in case.vals for v in (v, -v)]

    def pick_value():
        return pick(named) if named and rng.random() < 0.5 else pick(pool)
    xs = []
    for _ in range(4000):
        if len(xs) == k:
            break
        if case.arity == 1:
            if case.gen == "int":
                v = float(NP[dt](float(rng.integers(-2 ** 20, 2 ** 20)) if rng.random() < 0.5 else pick(pool)))
            elif case.gen == "half":
                v = float(NP[dt](float(rng.integers(-1000, 1000)) + pick([0.5, -0.5])))
            else:
                v = pick_value()
            if case.cond(v):
                xs.append((v,))
        else:
            v1 = pick_value()
            share = getattr(case, "share", None)
            v2 = pick_value() if rng.random() < 0.8 else pick([v1, -v1])
            if share is not None and rng.random() < 0.7:
                # "x1_i is -x2_i": one input the other's (negated) copy, as the suite's shared strategy
                base = pick(pool)
                if share[0] == "x2":
                    v1, v2 = base, (-base if share[1] == "-" else base)
                else:
                    v2, v1 = base, (-base if share[1] == "-" else base)
            if case.cond(v1, v2):
                xs.append((v1, v2))
    return xs


def gen_special_elementwise(cases):
    per_fn = {}
    for c in cases:
        per_fn.setdefault(c.fn, 0)
        per_fn[c.fn] += 1
        idx = per_fn[c.fn]
        for dt in ["float32", "float16"]:
            if dt == "float16" and idx % 3 != 0:
                continue  # float16 for a third of the statements: the device may not have it
            k = int(rng.integers(1, 7))
            xs = draw_special_inputs(c, dt, k)
            if not xs:
                SPECIAL_COUNT.setdefault("undrawable", []).append([c.fn, c.text])
                continue
            cols = [np.array([x[j] for x in xs], dtype=NP[dt]) for j in range(c.arity)]
            checks = []
            for x in xs:
                kind, v, *alt = c.expected(*x)
                checks.append([kind, fnum(v)] + [fnum(a) for a in alt])
            emit(c.fn, [{"array": j} for j in range(c.arity)], {},
                 {"inputs": [enc(a) for a in cols], "shape": [len(xs)], "dtype": dt},
                 special={"text": c.text, "checks": checks}, kind="special")


# --- reductions along axes (test_statistical_functions, test_utility_functions, test_searching_functions) -----
def draw_axis(ndim, allow_tuple=True):
    """hh.axes: None, an integer in [-ndim, ndim), or a tuple of distinct valid axes (negative allowed)."""
    r = rng.random()
    if ndim == 0 or r < 0.3:
        return None
    if r < 0.7 or not allow_tuple:
        return int(rng.integers(-ndim, ndim))
    k = int(rng.integers(0, ndim + 1))
    ax = [int(a) - (ndim if rng.random() < 0.3 else 0) for a in rng.permutation(ndim)[:k]]
    return ax


def maybe(kw, key, value, default):
    """hh.specified_kwargs: a key at its default is passed or left out at random."""
    if value != default or rng.random() < 0.5:
        kw[key] = value


def xp_axis(ax):
    return tuple(ax) if isinstance(ax, list) else ax


def magnitude(x, ax, keepdims, squared_dev=False):
    a = np.abs(x.astype(np.float64))
    if squared_dev:
        a = (a + np.abs(np.mean(x.astype(np.float64), axis=xp_axis(ax), keepdims=True))) ** 2
    return np.sum(a, axis=xp_axis(ax), keepdims=keepdims)


def in_model(fn, x, ax, kd, correction):
    """Where the error model behind the bound holds: no partial result leaves the dtype's normal range.
    sum/mean/var/std: Σ|x| (for var/std Σ(|x| + |mean|)²) at most the dtype's max, else a float32 partial sum may
    overflow where the float64 reference (numpy.array_api accumulates float32 in float64) does not. prod: every
    partial product, in any order, within [tiny, max]: Σ of the negative log2|x| ≥ log2(tiny) unless a zero makes the
    product 0 anyway, and Σ of the positive ones ≤ log2(max). Elsewhere the standard sets no accuracy and the answer
    depends on the order of operations; those elements are not compared."""
    fi = np.finfo(x.dtype)
    a = np.abs(x.astype(np.float64))
    axis = xp_axis(ax)
    with np.errstate(all="ignore"):
        if fn in ("sum", "mean"):
            return np.sum(np.where(np.isfinite(a), a, 0), axis=axis, keepdims=kd) <= float(fi.max)
        if fn in ("var", "std"):
            m = np.abs(np.mean(np.where(np.isfinite(a), a, 0), axis=axis, keepdims=True))
            return np.sum(np.where(np.isfinite(a), (a + m) ** 2, 0), axis=axis, keepdims=kd) <= float(fi.max)
        if fn == "prod":
            lg = np.where(np.isfinite(a) & (a > 0), np.log2(np.where(a > 0, a, 1)), 0)
            lo = np.sum(np.minimum(lg, 0), axis=axis, keepdims=kd)
            hi = np.sum(np.maximum(lg, 0), axis=axis, keepdims=kd)
            zero = np.any(a == 0, axis=axis, keepdims=kd)
            return (hi <= math.log2(float(fi.max))) & ((lo >= math.log2(float(fi.tiny)) + 1) | zero)
    return True


def terms(shape, ax):
    if ax is None:
        return math.prod(shape)
    ax = [ax] if isinstance(ax, int) else ax
    return math.prod(shape[a] for a in ax)


def gen_reduce(fn, cat, n):
    for _ in range(n):
        dt = draw_dtype(cat)
        shape = draw_shape()
        x = draw_values(dt, shape)
        if rng.random() < 0.4 and dt in FLOATS:
            x = np.where(np.isfinite(x), x, 1).astype(x.dtype)  # mostly-finite arrays too, so sums are not all NaN
        kw = {}
        ax = draw_axis(len(shape), allow_tuple=fn not in ("argmax", "argmin"))
        if ax is not None or rng.random() < 0.5:
            kw["axis"] = ax
        maybe(kw, "keepdims", bool(rng.random() < 0.5), False)
        if fn in ("std", "var"):
            maybe(kw, "correction", float(pick([0, 1, 0, 1, 2])), 0.0)
        xkw = {k: xp_axis(v) if k == "axis" else v for k, v in kw.items()}
        res, err = evaluate(lambda: getattr(xp, fn)(X(x), **xkw))
        exp = {"inputs": [enc(x)]}
        tol = None
        if err is None:
            out = f16_result(np.asarray(res), [x])
            exp["array"] = enc(out)
            if out.dtype.kind == "f":
                own = out
                nt = terms(shape, ax)
                x64 = x.astype(np.float64)
                kd = bool(kw.get("keepdims", False))
                if fn == "sum":
                    exp["array"] = enc(np.sum(x64, axis=xp_axis(ax), keepdims=kd).astype(out.dtype))
                    tol = {"sum": nt, "mag": enc(magnitude(x, ax, kd))}
                elif fn == "prod":
                    exp["array"] = enc(np.prod(x64, axis=xp_axis(ax), keepdims=kd).astype(out.dtype))
                    tol = {"ulp": 2 * nt + 1, "atol": 0}
                elif fn == "mean":
                    exp["array"] = enc(np.mean(x64, axis=xp_axis(ax), keepdims=kd).astype(out.dtype) if nt else out)
                    tol = {"sum": nt + 1, "mag": enc(magnitude(x, ax, kd) / max(nt, 1))}
                elif fn in ("var", "std"):
                    c = kw.get("correction", 0.0)
                    ref = np.var(x64, axis=xp_axis(ax), keepdims=kd, ddof=c) if nt - c > 0 else None
                    if ref is not None:
                        # Two passes: the mean (nt terms), then Σ(x − mean)² (nt more roundings, and a square each).
                        m = magnitude(x, ax, kd, squared_dev=True) / (nt - c)
                        if fn == "std":
                            ref = np.sqrt(ref)
                            tol = {"sqrt_of_sum": 2 * nt + 4, "mag": enc(m)}
                        else:
                            tol = {"sum": 2 * nt + 4, "mag": enc(m)}
                        exp["array"] = enc(ref.astype(out.dtype))
                ref_arr = exp["array"]
                ref_vals = np.frombuffer(base64.b64decode(ref_arr["b64"]), dtype=np.dtype(ref_arr["dtype"]).newbyteorder("<")).reshape(ref_arr["shape"])
                care = same_class(ref_vals, own) & in_model(fn, x, ax, kd, kw.get("correction", 0.0))
                if not care.all():
                    exp["care"] = enc(care)
        else:
            exp |= err
        emit(fn, [{"array": 0}], kw, exp, tol)


def gen_special_statistical(cases):
    for fn, text, kind, value in cases:
        for i in range(3):
            dt = "float32" if i < 2 else "float16"
            if kind == "empty":
                shape = pick([(0,), (0, 3), (2, 0)])
                x = np.zeros(shape, dtype=NP[dt])
                kw = {}
            elif kind == "corr":
                shape = draw_shape(1, 3, min_side=1)
                x = draw_values(dt, shape)
                kw = {"correction": float(math.prod(shape) + int(rng.integers(0, 2)))}
            else:
                shape = draw_shape(1, 3, min_side=1)
                x = draw_values(dt, shape)
                flat = x.reshape(-1)
                flat[rng.integers(0, flat.size, size=int(rng.integers(1, flat.size + 1)))] = np.nan
                x = flat.reshape(shape)
                kw = {}
            # The return-dtype rule the random cases check too: 2021.12's sum and prod give a float input the
            # default floating-point dtype (float32 for gpukit; the random cases' float64 as float32).
            out_dt = "float32" if fn in ("sum", "prod") and dt in FLOATS else dt
            emit(fn, [{"array": 0}], kw, {"inputs": [enc(x)], "shape": [], "dtype": out_dt},
                 special={"text": text, "checks": [["eq", fnum(value)]]}, kind="special")


# --- the rest of the standard's functions ----------------------------------------------------------------
# The integer linear algebra results numpy.array_api gives in the inputs' dtype, wrapped modulo 2^32: the
# standard leaves integer overflow unspecified, so an element whose exact value leaves the dtype's range is not
# compared ("care"), and "overflow" says the exact result does not fit (gpukit's typed OverflowError, as it
# never wraps, is then a conforming answer; array-api-tests filters such cases out alike).
INT_ACCUMULATING = ("matmul", "vecdot", "tensordot")


def exact_range(fn, kw, inputs, res):
    a, b = (np.asarray(x).astype(object) for x in inputs)
    if fn == "matmul":
        exact = np.matmul(a, b)
    elif fn == "vecdot":
        exact = np.sum(a * b, axis=kw.get("axis", -1))
    else:
        exact = np.tensordot(a, b, axes=kw.get("axes", 2))
    exact = np.asarray(exact, dtype=object).reshape(res.shape)
    info = np.iinfo(res.dtype)
    # An object matmul over an empty inner axis leaves None: the empty sum, 0.
    care = np.vectorize(lambda v: int(info.min) <= int(v or 0) <= int(info.max), otypes=[bool])(exact) if exact.size else np.ones(res.shape, dtype=bool)
    if care.all():
        return {}
    return {"care": enc(care), "overflow": True}


def gen_generic(fn, n, draw):
    """draw() → (args for the JSON, kwargs, reference call, inputs); the reference's result or error is recorded."""
    for _ in range(n):
        args, kw, call, inputs = draw()
        res, err = evaluate(call)
        exp = {"inputs": [enc(a) for a in inputs]}
        if err is not None:
            exp |= err
        else:
            force = kw["dtype"]["dtype"] if isinstance(kw.get("dtype"), dict) else None
            if fn == "astype":
                force = args[1]["dtype"]
            exp |= result_of(f16_result(res, inputs, force))
            if fn in INT_ACCUMULATING and "array" in exp and np.asarray(res).dtype.kind in "iu":
                exp |= exact_range(fn, kw, inputs, np.asarray(res))
        emit(fn, args, kw, exp)


def A(i):
    return {"array": i}


def real_dt():
    return draw_dtype("numeric")


def d_sort(fn):
    def draw():
        dt = real_dt()
        shape = draw_shape(1)
        x = draw_values(dt, shape)
        kw = {}
        maybe(kw, "axis", int(rng.integers(-len(shape), len(shape))), -1)
        maybe(kw, "descending", bool(rng.random() < 0.5), False)
        maybe(kw, "stable", bool(rng.random() < 0.7), True)
        return [A(0)], kw, lambda: getattr(xp, fn)(X(x), **kw), [x]
    return draw


def d_unary_array(fn, cat="all", min_dims=0, **extra):
    def draw():
        x = draw_values(draw_dtype(cat), draw_shape(min_dims))
        return [A(0)], {}, lambda: getattr(xp, fn)(X(x)), [x]
    return draw


def d_where():
    dt1, dt2 = promotable_pair("all")
    s1, s2 = broadcastable_pair()
    s0 = pick([s1, s2, ()])
    c = draw_values("bool", s0)
    a, b = draw_values(dt1, s1), draw_values(dt2, s2)
    return [A(0), A(1), A(2)], {}, lambda: xp.where(X(c), X(a), X(b)), [c, a, b]


def d_concat(stack):
    def draw():
        dt = draw_dtype("all")
        base = list(draw_shape(1 if not stack else 0))
        k = int(rng.integers(1, 4))
        nd = len(base)
        axis = int(rng.integers(-nd - (1 if stack else 0), nd + (1 if stack else 0))) if nd or stack else 0
        xs = []
        for _ in range(k):
            s = list(base)
            if not stack and nd:
                s[axis] = draw_side()
            xs.append(draw_values(dt, tuple(s)))
        kw = {}
        if not stack and rng.random() < 0.15:
            kw["axis"] = None
        else:
            maybe(kw, "axis", axis, 0)
        f = xp.stack if stack else xp.concat
        return [{"arrays": list(range(k))}], kw, lambda: f([X(x) for x in xs], **kw), xs
    return draw


def d_axis_fn(fn, kind):
    def draw():
        dt = draw_dtype("all")
        shape = draw_shape(0 if kind != "squeeze" else 0)
        if kind == "squeeze":
            shape = tuple(1 if rng.random() < 0.5 else d for d in shape)
        x = draw_values(dt, shape)
        nd = len(shape)
        kw = {}
        if kind == "expand_dims":
            kw["axis"] = int(rng.integers(-nd - 1, nd + 1))
        elif kind == "flip":
            if nd and rng.random() < 0.7:
                kw["axis"] = draw_axis(nd)
        elif kind == "squeeze":
            ones = [i for i, d in enumerate(shape) if d == 1]
            kw["axis"] = [i - (nd if rng.random() < 0.3 else 0) for i in ones if rng.random() < 0.6] if ones else (int(rng.integers(0, nd)) if nd else [])
            if isinstance(kw["axis"], list) and len(kw["axis"]) == 1 and rng.random() < 0.5:
                kw["axis"] = kw["axis"][0]
        elif kind == "roll":
            shift = int(rng.integers(-8, 9))
            ax = draw_axis(nd)
            if isinstance(ax, list):
                shift = [int(rng.integers(-8, 9)) for _ in ax]
                if not ax:
                    ax = None
                    shift = shift[0] if shift else 1
            kw["shift"] = shift
            if ax is not None:
                kw["axis"] = ax
        elif kind == "permute_dims":
            kw["axes"] = [int(a) for a in rng.permutation(nd)]
        elif kind == "reshape":
            n = math.prod(shape)
            dims = [n] if n else [0]
            if n > 1 and rng.random() < 0.6:
                f = [d for d in range(1, n + 1) if n % d == 0]
                d0 = int(pick(f))
                dims = [d0, n // d0]
            if rng.random() < 0.3:
                dims[int(rng.integers(0, len(dims)))] = -1 if n else dims[0]
            kw["shape"] = dims
        elif kind == "matrix_transpose":
            shape = draw_shape(2)
            x = draw_values(dt, shape)
        elif kind in ("tril", "triu"):
            shape = draw_shape(2)
            x = draw_values(dt, shape)
            maybe(kw, "k", int(rng.integers(-3, 4)), 0)
        # Positional as gpukit spells them (roll(x, shift), permute_dims(x, axes), reshape(x, shape)); squeeze's
        # axis (positional-or-keyword in the standard) is an option, squeeze(x, { axis }), as gpukit has it.
        positional = {"expand_dims": [], "flip": [], "squeeze": [], "roll": ["shift"], "permute_dims": ["axes"], "reshape": ["shape"], "matrix_transpose": [], "tril": [], "triu": []}[kind]
        pargs = [kw.pop(p) for p in positional]

        def call():
            xkw = {k: xp_axis(v) for k, v in kw.items()}
            return getattr(xp, fn)(X(x), *[tuple(p) if isinstance(p, list) else p for p in pargs], **xkw)
        return [A(0)] + [{"value": p} for p in pargs], kw, call, [x]
    return draw


def d_matmul(fn):
    def draw():
        dt = draw_dtype("numeric")
        m, k, n = (int(rng.integers(1, 6)) for _ in range(3))
        if rng.random() < 0.1:
            k = 0
        batch = draw_shape(0, 2)
        if fn == "matmul":
            s1 = batch + (m, k) if rng.random() < 0.8 else (k,)
            s2 = (k, n) if rng.random() < 0.5 else batch[len(batch) // 2:] + (k, n)
            if rng.random() < 0.1:
                s2 = (k,)
        elif fn == "vecdot":
            s1 = batch + (k,)
            s2 = (k,) if rng.random() < 0.5 else s1
        else:
            s1, s2 = (m, k), (k, n)
        a, b = draw_values(dt, s1, -20, 20), draw_values(dt, s2, -20, 20)
        kw = {}
        if fn == "tensordot":
            kw["axes"] = int(pick([0, 1, 1, 2])) if rng.random() < 0.7 else 2
            if kw["axes"] == 2:
                b = draw_values(dt, s1, -20, 20) if rng.random() < 0.5 else b
        if fn == "vecdot":
            maybe(kw, "axis", -1, -1)
        return [A(0), A(1)], kw, lambda: getattr(xp, fn)(X(a), X(b), **kw), [a, b]
    return draw


def js_float_kw(kw, values):
    """
    The keyword arguments of the JS call of a creation function (full, arange) whose dtype the standard infers
    from Python scalars. A JS number has no int/float kind: gpukit infers i32 from integer values, so a Python
    float with an integer value (3.0, but not -0.0, which gpukit takes as a float) has no JS spelling without
    a dtype. Its faithful translation names the dtype the reference infers, the default float dtype (float32
    for gpukit): the JS call gets {dtype: float32}; the reference call keeps no dtype. Integer and
    non-integer arguments go as they are, and test the inference itself.
    """
    if "dtype" in kw:
        return kw
    if any(isinstance(v, float) and v.is_integer() and not (v == 0 and math.copysign(1, v) < 0) for v in values):
        return {**kw, "dtype": {"dtype": "float32"}}
    return kw


def d_creation(fn):
    def draw():
        dt = pick(["float32", "int32", "uint32", "bool", "float16"], p=[0.4, 0.25, 0.15, 0.1, 0.1])
        shape = list(draw_shape(0, 3))
        kw = {}
        if rng.random() < 0.8:
            kw["dtype"] = {"dtype": dt}
        xdt = lambda: {"dtype": XP[kw["dtype"]["dtype"]]} if "dtype" in kw else {}
        if fn in ("zeros", "ones"):
            return [{"value": shape}], kw, lambda: getattr(xp, fn)(tuple(shape), **xdt()), []
        if fn == "full":
            v = bool(rng.random() < 0.5) if dt == "bool" and "dtype" in kw else (float(draw_floats("float32", 1)[0]) if dt in FLOATS or "dtype" not in kw else int(draw_ints(dt, 1)[0]))
            if "dtype" not in kw and rng.random() < 0.5:
                v = int(rng.integers(-100, 100))
            return [{"value": shape}, {"scalar": fnum(v) if isinstance(v, float) else v}], js_float_kw(kw, [v]), lambda: xp.full(tuple(shape), v, **xdt()), []
        if fn in ("zeros_like", "ones_like", "full_like"):
            x = draw_values(draw_dtype("all"), tuple(shape))
            if fn == "full_like":
                # a fill value of the result's kind: the standard leaves a float into an integer dtype unspecified
                kind = np.dtype(NP[kw["dtype"]["dtype"]]).kind if "dtype" in kw else x.dtype.kind
                v = int(rng.integers(0, 5)) if kind in "iu" else (bool(rng.random() < 0.5) if kind == "b" else float(rng.uniform(-5, 5)))
                return [A(0), {"scalar": v}], kw, lambda: xp.full_like(X(x), v, **xdt()), [x]
            return [A(0)], kw, lambda: getattr(xp, fn)(X(x), **xdt()), [x]
        if fn == "eye":
            nr = int(rng.integers(0, 6))
            nc = int(rng.integers(0, 6)) if rng.random() < 0.5 else None
            args = [{"value": nr}] + ([{"value": nc}] if nc is not None else [])
            maybe(kw, "k", int(rng.integers(-4, 5)), 0)
            return args, kw, lambda: xp.eye(nr, nc, k=kw.get("k", 0), **xdt()), []
        if fn == "arange":
            num = "float32" if dt in FLOATS else "int32"
            if "dtype" in kw:
                kw["dtype"] = {"dtype": num}
            start = float(rng.integers(-10, 10)) if num == "float32" else int(rng.integers(-10, 10))
            stop = start + (rng.integers(-5, 20))
            step = pick([1, 2, 3, -1, -2]) if rng.random() < 0.6 else 1
            stop = type(start)(stop)
            args = [{"value": start}, {"value": stop}] + ([{"value": step}] if step != 1 or rng.random() < 0.3 else [])
            return args, js_float_kw(kw, [start, stop, step]), lambda: xp.arange(start, stop, step, **xdt()), []
        if fn == "linspace":
            if "dtype" in kw:
                kw["dtype"] = {"dtype": "float32"}
            start, stop = float(rng.uniform(-10, 10)), float(rng.uniform(-10, 10))
            num = int(rng.integers(0, 9))
            maybe(kw, "endpoint", bool(rng.random() < 0.6), True)
            xkw = {"endpoint": kw.get("endpoint", True)}
            return [{"value": start}, {"value": stop}, {"value": num}], kw, lambda: xp.linspace(start, stop, num, **xkw, **xdt()), []
        raise KeyError(fn)
    return draw


def d_meshgrid():
    dt = draw_dtype("numeric")
    xs = [draw_values(dt, (int(rng.integers(0, 5)),)) for _ in range(int(rng.integers(1, 4)))]
    kw = {}
    maybe(kw, "indexing", pick(["xy", "ij"]), "xy")
    return [A(i) for i in range(len(xs))], kw, lambda: tuple(xp.meshgrid(*[X(x) for x in xs], **kw)), xs


def d_astype():
    src = draw_dtype("all")
    dst = draw_dtype("all")
    x = draw_values(src, draw_shape())
    if src in FLOATS and dst in INTS + ["bool"]:
        # Converting NaN, ±Inf or out-of-range floats to integers is undefined in the standard.
        info = np.iinfo(NP[dst]) if dst in INTS else None
        x = np.where(np.isfinite(x), x, 0).astype(x.dtype)
        if info is not None:
            x = np.clip(x, max(float(info.min), -2e9), min(float(info.max), 2e9)).astype(x.dtype)
    if src == "int32" and dst == "uint32":
        x = np.abs(x.astype(np.int64)).clip(0, 2 ** 31 - 1).astype(np.int32)
    if src == "uint32" and dst == "int32":
        x = (x % (2 ** 31)).astype(np.uint32)
    return [A(0), {"dtype": dst}], {}, lambda: xp.astype(X(x), XP[dst]), [x]


def d_broadcast_to():
    s, t = broadcastable_pair()
    big = tuple(np.broadcast_shapes(s, t))
    x = draw_values(draw_dtype("all"), s)
    return [A(0), {"value": list(big)}], {}, lambda: xp.broadcast_to(X(x), big), [x]


def d_broadcast_arrays():
    s, t = broadcastable_pair()
    a, b = draw_values(draw_dtype("all"), s), draw_values(draw_dtype("all"), t)
    # each result keeps its input's dtype (float16 included, which the reference sees as float32)
    return [A(0), A(1)], {}, lambda: tuple(np.asarray(r).astype(i.dtype) for r, i in zip(xp.broadcast_arrays(X(a), X(b)), (a, b))), [a, b]


def d_unique(fn):
    def draw():
        dt = draw_dtype("numeric")
        x = draw_values(dt, draw_shape())
        if rng.random() < 0.6 and x.size:
            # repeats, as unique() is about
            x = x.reshape(-1)[rng.integers(0, x.size, size=x.size)].reshape(x.shape)
        return [A(0)], {}, lambda: tuple(getattr(xp, fn)(X(x))) if fn != "unique_values" else xp.unique_values(X(x)), [x]
    return draw


def d_nonzero():
    x = draw_values(draw_dtype("all"), draw_shape(1))
    return [A(0)], {}, lambda: tuple(xp.nonzero(X(x))), [x]


def d_argext(fn):
    return None


def d_cumulative_sum():
    dt = draw_dtype("numeric")
    shape = draw_shape(0, 3)
    if rng.random() < 0.5:
        shape = draw_shape(1, 1)
    x = draw_values(dt, shape, -1000 if dt == "int32" else 0 if dt == "uint32" else None, 1000 if dt in INTS else None)
    kw = {}
    nd = len(shape)
    if nd > 1 or (nd == 1 and rng.random() < 0.5):
        kw["axis"] = int(rng.integers(-nd, nd))
    maybe(kw, "include_initial", bool(rng.random() < 0.3), False)

    def call():
        if nd == 0:
            raise ValueError("cumulative_sum of a 0-d array")
        ax = kw.get("axis", 0)
        acc = {"int32": np.int64, "uint32": np.uint64}.get(dt, x.dtype)
        r = np.cumsum(x, axis=ax, dtype=acc)
        if kw.get("include_initial"):
            z = np.zeros_like(np.take(r, [0], axis=ax) if r.shape[ax] else np.sum(r, axis=ax, keepdims=True))
            r = np.concatenate([z, r], axis=ax)
        return r
    return [A(0)], kw, call, [x]


def d_searchsorted():
    dt = draw_dtype("numeric")
    n = int(rng.integers(0, 12))
    x1 = np.sort(draw_values(dt, (n,)))
    x2 = draw_values(dt, draw_shape(0, 2))
    if n and rng.random() < 0.5:
        x2 = x1[rng.integers(0, n, size=x2.size)].reshape(x2.shape) if x2.size else x2
    kw = {}
    maybe(kw, "side", pick(["left", "right"]), "left")
    return [A(0), A(1)], kw, lambda: np.searchsorted(x1, x2, side=kw.get("side", "left")), [x1, x2]


def d_take():
    dt = draw_dtype("all")
    shape = draw_shape(1, 3)
    x = draw_values(dt, shape)
    nd = len(shape)
    ax = int(rng.integers(-nd, nd))
    ext = shape[ax]
    idx = rng.integers(-ext, ext, size=int(rng.integers(0, 6))).astype(np.int32) if ext else np.zeros(0, np.int32)
    kw = {}
    if nd > 1 or rng.random() < 0.5:
        kw["axis"] = ax
    return [A(0), A(1)], kw, lambda: np.take(x, idx, axis=kw.get("axis", 0)), [x, idx]


def d_getitem():
    """x[key]: integers (negative included), slices with steps (negative, past the ends), ellipsis, None."""
    dt = draw_dtype("all")
    shape = draw_shape(1, 3)
    x = draw_values(dt, shape)
    key = []
    used_ellipsis = False
    for d in shape:
        r = rng.random()
        if r < 0.25 and d > 0:
            key.append({"int": int(rng.integers(-d, d))})
        elif r < 0.35 and not used_ellipsis:
            key.append({"ellipsis": True})
            used_ellipsis = True
            break
        elif r < 0.45:
            key.append({"newaxis": True})
            key.append({"slice": [None, None, None]})
        else:
            lo = None if rng.random() < 0.3 else int(rng.integers(-d - 2, d + 3))
            hi = None if rng.random() < 0.3 else int(rng.integers(-d - 2, d + 3))
            st = None if rng.random() < 0.4 else int(pick([1, 2, -1, -2, 3]))
            key.append({"slice": [lo, hi, st]})

    def py(k):
        if "int" in k:
            return k["int"]
        if "ellipsis" in k:
            return Ellipsis
        if "newaxis" in k:
            return None
        return slice(*k["slice"])
    pk = tuple(py(k) for k in key)
    # NumPy, not numpy.array_api: the strict module refuses slice bounds past the ends, which Python (and the
    # standard's later revisions) clamp; those are the cases worth drawing.
    return [A(0), {"value": key}], {}, lambda: np.asarray(x)[pk], [x]


def d_mask_getitem():
    x = draw_values(draw_dtype("all"), draw_shape(1, 3))
    m = draw_values("bool", x.shape)
    return [A(0), A(1)], {}, lambda: X(x)[X(m)], [x, m]


def d_result_type():
    d1, d2 = promotable_pair("all")
    names = {xp.float32: "float32", xp.int32: "int32", xp.uint32: "uint32", xp.bool: "bool", xp.int64: "int64"}
    # float16 ⊕ float16 is float16 in the standard's table; numpy.array_api lacks float16 (see X above)
    return [{"dtype": d1}, {"dtype": d2}], {}, lambda: "float16" if d1 == d2 == "float16" else names[xp.result_type(XP[d1], XP[d2])], []


def d_can_cast():
    d1, d2 = draw_dtype("all"), draw_dtype("all")
    return [{"dtype": d1}, {"dtype": d2}], {}, lambda: bool(xp.can_cast(XP[d1], XP[d2])), []


GENERIC = {
    "argmax": None, "argmin": None,
    "sort": d_sort("sort"), "argsort": d_sort("argsort"),
    "where": d_where, "nonzero": d_nonzero,
    "unique_values": d_unique("unique_values"), "unique_counts": d_unique("unique_counts"),
    "unique_inverse": d_unique("unique_inverse"), "unique_all": d_unique("unique_all"),
    "concat": d_concat(False), "stack": d_concat(True),
    "expand_dims": d_axis_fn("expand_dims", "expand_dims"), "flip": d_axis_fn("flip", "flip"),
    "permute_dims": d_axis_fn("permute_dims", "permute_dims"), "reshape": d_axis_fn("reshape", "reshape"),
    "roll": d_axis_fn("roll", "roll"), "squeeze": d_axis_fn("squeeze", "squeeze"),
    "matrix_transpose": d_axis_fn("matrix_transpose", "matrix_transpose"),
    "tril": d_axis_fn("tril", "tril"), "triu": d_axis_fn("triu", "triu"),
    "matmul": d_matmul("matmul"), "vecdot": d_matmul("vecdot"), "tensordot": d_matmul("tensordot"),
    "zeros": d_creation("zeros"), "ones": d_creation("ones"), "full": d_creation("full"), "eye": d_creation("eye"),
    "arange": d_creation("arange"), "linspace": d_creation("linspace"), "meshgrid": d_meshgrid,
    "zeros_like": d_creation("zeros_like"), "ones_like": d_creation("ones_like"), "full_like": d_creation("full_like"),
    "astype": d_astype, "broadcast_to": d_broadcast_to, "broadcast_arrays": d_broadcast_arrays,
    "result_type": d_result_type, "can_cast": d_can_cast,
    "cumulative_sum": d_cumulative_sum, "searchsorted": d_searchsorted, "take": d_take,
    "__getitem__": d_getitem, "__getitem__[mask]": d_mask_getitem,
}
REDUCE = {"max": "numeric", "min": "numeric", "mean": "float", "prod": "numeric", "std": "float", "sum": "numeric", "var": "float",
          "all": "all", "any": "all", "argmax": "numeric", "argmin": "numeric"}


def main():
    src_e = open(os.path.join(os.path.dirname(__file__), "spec", "elementwise_functions.py"), encoding="utf-8").read()
    src_s = open(os.path.join(os.path.dirname(__file__), "spec", "statistical_functions.py"), encoding="utf-8").read()
    e_cases, e_unparsed, e_n = specials.elementwise_cases(src_e)
    s_cases, s_unparsed, s_n = specials.statistical_cases(src_s)
    for fn, cat in UNARY.items():
        gen_unary(fn, cat, BUDGET)
    for fn, cat in BINARY.items():
        gen_binary(fn, cat, BUDGET)
    for fn, cat in REDUCE.items():
        gen_reduce(fn, cat, BUDGET)
    for fn, draw in GENERIC.items():
        if draw is not None:
            gen_generic(fn, BUDGET, draw)
    gen_special_elementwise(e_cases)
    gen_special_statistical(s_cases)
    spec = {
        "source": "data-apis/array-api src/array_api_stubs/_2021_12 (elementwise_functions.py, statistical_functions.py)",
        "statements": e_n + s_n,
        "parsed": len(e_cases) + len(s_cases),
        "unparsed": [{"fn": f, "text": t, "why": w} for f, t, w in e_unparsed + s_unparsed],
        "undrawable": SPECIAL_COUNT.get("undrawable", []),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"version": VERSION, "seed": SEED, "budget": BUDGET, "numpy": np.__version__, "spec": spec, "cases": CASES}, f)


main()
