from datetime import date, timedelta

import factory
from django.utils import timezone

from cooperation.choices import Gender
from cooperation.models import Organization
from cooperation.tests.factories import OrganizationFactory
from trainees.models import Course, Delegation, Enrollment, EnrollmentStatus, Trainee


class CourseFactory(factory.django.DjangoModelFactory):
    """An open course two months ahead, nominations open for six more weeks."""

    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"C{n:03d}")
    title = factory.Sequence(lambda n: f"Community policing course {n}")
    title_ja = factory.Sequence(lambda n: f"地域警察研修 {n}")
    kind = Course.Kind.JICA_GROUP_REGION
    host = factory.SubFactory(
        OrganizationFactory, kind=Organization.Kind.POLICE_ACADEMY, country="JP", name_ja="警察大学校"
    )
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=13))
    nomination_deadline = factory.LazyAttribute(lambda o: o.start_date - timedelta(days=14))
    capacity = 10
    status = Course.Status.OPEN


class TraineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainee

    family_name = factory.Sequence(lambda n: f"Family{n}")
    given_name = factory.Sequence(lambda n: f"Given{n}")
    gender = Gender.FEMALE
    date_of_birth = factory.Sequence(lambda n: date(1980, 6, 15) - timedelta(days=n))
    nationality = "ID"
    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"trainee{n}@example.org")
    phone = "+62 21 555 0100"
    passport_number = factory.Sequence(lambda n: f"P{n:07d}")
    passport_expiry = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3650))


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An enrollment written straight in any status, as the data of past years is."""

    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    trainee = factory.SubFactory(TraineeFactory)
    nominated_by = factory.SubFactory(OrganizationFactory)
    status = EnrollmentStatus.NOMINATED
    course_start = factory.LazyAttribute(lambda o: o.course.start_date)
    course_end = factory.LazyAttribute(lambda o: o.course.end_date)
    waitlist_position = factory.LazyAttribute(
        lambda o: (
            Enrollment.objects.filter(course=o.course, status=EnrollmentStatus.WAITLISTED).count() + 1
            if o.status == EnrollmentStatus.WAITLISTED
            else None
        )
    )
    certificate_number = factory.LazyAttributeSequence(
        lambda o, n: f"NPA-TEST-{n:05d}" if o.status == EnrollmentStatus.COMPLETED else ""
    )
    certificate_issued_on = factory.LazyAttribute(
        lambda o: o.course.end_date if o.status == EnrollmentStatus.COMPLETED else None
    )


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    title = factory.Sequence(lambda n: f"Delegation {n}")
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=3))
    country = "VN"
    visitors = 5
    facilities_visited = factory.LazyFunction(lambda: [Delegation.Facility.KOBAN])
