"""Column types shared by the models."""

from sqlalchemy import BigInteger, Integer

# BIGINT on PostgreSQL; SQLite only autoincrements an INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")
