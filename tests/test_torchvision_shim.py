import subprocess
import sys
import textwrap

import kdnb._torchvision as shim


def test_torchvision_imports_with_transforms_models_and_datasets():
    import torchvision
    from torchvision import datasets, models  # noqa: F401
    from torchvision.transforms import v2  # noqa: F401

    assert torchvision.__version__


def test_shim_is_applied_only_when_the_extension_cannot_load():
    """In a fresh interpreter (without kdnb's __init__), pretend the extension loads: the shim must not act."""
    code = textwrap.dedent(f"""
        import importlib.util as u
        spec = u.spec_from_file_location("tvshim", {shim.__file__!r})
        s = u.module_from_spec(spec); spec.loader.exec_module(s)
        calls = []
        s._extension_loads = lambda: True
        s._define_missing_schemas = lambda: calls.append(1)
        try:
            s.import_torchvision(); print("imported")
        except Exception as e:
            print("failed", e)
        print("shim calls", len(calls))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "shim calls 0" in out.stdout, out.stdout + out.stderr
    if not shim._extension_loads():  # this machine: without the shim, torchvision does not import
        assert "operator torchvision::nms does not exist" in out.stdout


def test_shim_state_matches_this_machine():
    # Either the extension loads (matching torch/torchvision) and no shim was needed,
    # or it does not and exactly the two schemas were defined.
    if shim._extension_loads():
        assert not shim.shim_applied
    else:
        assert shim.shim_applied and shim._has_schema("nms") and shim._has_schema("qnms")
