import pytest

from attain.notifications.tests.factories import make_due, make_sales


@pytest.fixture
def sales(world):
    return make_sales(world)


@pytest.fixture
def due(world):
    return make_due(world)
