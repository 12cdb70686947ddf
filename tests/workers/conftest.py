import pytest

from workers import data, he


@pytest.fixture(scope="session")
def fedavg_keys():
    """Packed-BFV fedavg keys (the scheme-specific tests)."""
    return he.generate_keys("fedavg", scheme="bfv-packed")


@pytest.fixture(scope="session")
def ckks_fedavg_keys():
    """CKKS fedavg keys (the default scheme)."""
    return he.generate_keys("fedavg")


@pytest.fixture(scope="session", params=["ckks", "bfv-packed"])
def any_fedavg_keys(request, fedavg_keys, ckks_fedavg_keys):
    """Both fedavg schemes, for the tests that must hold whichever is chosen."""
    return ckks_fedavg_keys if request.param == "ckks" else fedavg_keys


@pytest.fixture(scope="session")
def digits4():
    return data.load_digits_split(n_owners=4, alpha=0.5, seed=0)
