import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cooperation.models import CooperationField, Organization, Region, UserProfile
from cooperation.roles import NPA_STAFF

TEST_PASSWORD = "a-long-test-password"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    countries = factory.LazyFunction(lambda: ["ID", "PH", "VN"])


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = Organization.Kind.RECIPIENT_AGENCY
    country = "ID"


class CooperationFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationField

    code = factory.Sequence(lambda n: f"field-{n}")
    name = factory.Sequence(lambda n: f"Field {n}")
    dac_code = "15132"


class UserFactory(factory.django.DjangoModelFactory):
    """A user in one role (a group name, or None) working for one organization."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(TEST_PASSWORD)
    role = None
    organization = factory.SubFactory(OrganizationFactory)
    is_staff = factory.LazyAttribute(lambda o: o.role == NPA_STAFF)

    @classmethod
    def _create(cls, model_class, *args, role=None, organization=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        UserProfile.objects.create(user=user, organization=organization)
        return user
