"""Two custom user models, beside auth.User, with the table and column names a project may
choose: Member logs in by email and has a UUID primary key and its own is_active column;
Kiosk has a text primary key and no is_active at all (AbstractBaseUser then treats every
user as active). Neither is AUTH_USER_MODEL: the tests only need their tables."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class Manager(BaseUserManager):
    def create_user(self, password=None, **fields):
        user = self.model(**fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class Member(AbstractBaseUser):
    uid = models.UUIDField(primary_key=True, default=uuid.uuid4, db_column="member_uuid")
    email = models.EmailField(unique=True, db_column="email_address")
    password = models.CharField(max_length=128, db_column="pw_hash")
    last_login = models.DateTimeField(null=True, blank=True, db_column="seen_at")
    is_active = models.BooleanField(default=True, db_column="enabled")

    USERNAME_FIELD = "email"
    objects = Manager()

    class Meta:
        db_table = "club_members"


class Kiosk(AbstractBaseUser):
    code = models.CharField(primary_key=True, max_length=20)
    name = models.CharField(max_length=40, unique=True)

    USERNAME_FIELD = "name"
    objects = Manager()

    class Meta:
        db_table = "kiosks"
