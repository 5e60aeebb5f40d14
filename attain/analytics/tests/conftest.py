import pytest

from attain.analytics.tests.factories import make_data


@pytest.fixture
def data(world):
    return make_data(world)
