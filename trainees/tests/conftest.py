import pytest

from .factories import CourseFactory, TraineeFactory


@pytest.fixture
def course(db):
    return CourseFactory(capacity=5)


@pytest.fixture
def trainee(db):
    return TraineeFactory()
