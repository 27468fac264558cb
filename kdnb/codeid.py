"""Which code made a result: kdnb's static import graph and fingerprints of module closures.

A run's identity includes the fingerprint of every kdnb module its run kind's module imports, directly or
not (read from the source with ``ast``: imports inside functions count too). The fingerprint hashes each
module's syntax tree with docstrings removed, so editing prose or comments keeps results valid while any change
to code makes them stale. Modules that only move results around (the cache and its claims, registries, atomic
writes, the torchvision shim) are left out: changing them changes no number.

The same graph backs the layering test (``tests/test_layout.py``): no cycles, lower layers never import
higher ones.
"""
from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
NEUTRAL = frozenset({"kdnb", "kdnb.runs", "kdnb.registry", "kdnb.io", "kdnb.config", "kdnb._torchvision",
                     "kdnb.codeid", "kdnb.claims"})
# Package data that changes what a module computes.
DATA = {"kdnb.sources.shaders": "sources/shaders/*.frag", "kdnb.data.imagenet_split": "data/imagenet_classes/*.json"}


@lru_cache(maxsize=1)
def modules() -> dict[str, Path]:
    """Every kdnb module name → its file."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


def _resolve(module: str, node: ast.AST, is_pkg: bool) -> list[str]:
    known = modules()
    found = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = module.split(".") if is_pkg else module.split(".")[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join(pkg + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    for name in names:
        while name and name not in known:  # `import kdnb.a.b.func` style: the longest module prefix
            name = name.rpartition(".")[0]
        if name.startswith("kdnb"):
            found.append(name)
    return found


@lru_cache(maxsize=None)
def imports(module: str) -> frozenset[str]:
    """The kdnb modules ``module`` imports anywhere in its source (module level or inside functions)."""
    path = modules()[module]
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update(_resolve(module, node, path.name == "__init__.py"))
    out.discard(module)
    return frozenset(out)


def closure(module: str) -> frozenset[str]:
    """``module`` and every kdnb module it imports, transitively."""
    seen, todo = set(), [module]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(imports(m))
    return frozenset(seen)


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


@lru_cache(maxsize=None)
def module_digest(module: str) -> str:
    path = modules()[module]
    h = hashlib.sha256(ast.dump(_strip_docstrings(ast.parse(path.read_text()))).encode())
    if module in DATA:
        for f in sorted(PACKAGE.glob(DATA[module])):
            h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def fingerprint(*roots: str) -> str:
    """12 hex digits over the closures of ``roots`` (neutral modules left out)."""
    mods = sorted(set().union(*(closure(r) for r in roots)) - NEUTRAL)
    h = hashlib.sha256()
    for m in mods:
        h.update(f"{m}:{module_digest(m)}\n".encode())
    return h.hexdigest()[:12]


def find_cycle() -> list[str] | None:
    """One import cycle among kdnb's modules (as a list that starts and ends with the same module), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str):
        state[m] = 1
        stack.append(m)
        for n in sorted(imports(m)):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (c := visit(n)):
                return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(modules()):
        if m not in state and (c := visit(m)):
            return c
    return None


__all__ = ["modules", "imports", "closure", "fingerprint", "find_cycle", "NEUTRAL"]
