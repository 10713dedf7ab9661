"""Factories and named personas for the org domain."""

import factory
from django.contrib.auth.models import Group

from kefu.org.models import Company, Department, Station, User

PASSWORD = "kefu2026"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("name",)

    name = "测试科技有限公司"
    short_name = "测试科技"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"station-{n}")
    name = factory.Sequence(lambda n: f"第{n}维修站")
    phone = "021-58880001"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"员工{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(Group.objects.get_or_create(name=key)[0] for key in extracted))
            self.__dict__.pop("role_keys", None)
