import pytest

from workers import data, he


@pytest.fixture(scope="session")
def fedavg_keys():
    return he.generate_keys("fedavg")


@pytest.fixture(scope="session")
def digits4():
    return data.load_digits_split(n_owners=4, alpha=0.5, seed=0)
