"""One address from stored fields, for outbound labels and return labels alike."""

from __future__ import annotations

from wms.base.address import Address


def test_fields_are_trimmed_and_the_country_code_upper_case() -> None:
    address = Address.of(
        {"name": " Ana Buyer ", "street1": "1 rue du Port ", "city": "Lyon", "country": "fr "}
    )
    assert (address.name, address.street1, address.country) == ("Ana Buyer", "1 rue du Port", "FR")


def test_the_order_names_and_mails_whom_the_address_leaves_out() -> None:
    address = Address.of({"street1": "1 Main St"}, name="Ana Buyer", email="ana@example.com")
    assert (address.name, address.email, address.country) == (
        "Ana Buyer",
        "ana@example.com",
        "US",
    )
    own = Address.of({"name": "Bo", "email": "bo@example.com"}, name="Ana", email="ana@x.com")
    assert (own.name, own.email) == ("Bo", "bo@example.com")


def test_no_fields_at_all_is_an_empty_address_not_an_error() -> None:
    assert Address.of(None).street1 == ""
