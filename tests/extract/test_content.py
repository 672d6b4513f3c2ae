"""content_from_bytes: MIME decoding and tolerance of broken input."""

from __future__ import annotations

import base64

from waypost.extract import MailContent, content_from_bytes, extract_otp


def test_multipart_alternative_qp_and_base64() -> None:
    html = base64.b64encode(b"<p>Votre code : <b>482913</b></p>").decode()
    raw = (
        "From: =?utf-8?q?Acm=C3=A9?= <no-reply@acme.fr>\n"
        "Subject: =?utf-8?b?Q29kZSBkZSB2w6lyaWZpY2F0aW9u?=\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "Votre code de v=C3=A9rification : 482913\n"
        "--b1\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        f"{html}\n--b1--\n"
    ).encode()
    c = content_from_bytes(raw)
    assert c.subject == "Code de vérification"
    assert c.sender == "Acmé <no-reply@acme.fr>"
    assert c.text is not None and "vérification : 482913" in c.text
    assert c.html is not None and "<b>482913</b>" in c.html
    assert extract_otp(c).value == "482913"


def test_nested_related_and_attachment_ignored() -> None:
    raw = (
        b"Subject: Code\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="m"\n\n'
        b'--m\nContent-Type: multipart/related; boundary="r"\n\n'
        b"--r\nContent-Type: text/html; charset=utf-8\n\n<p>Your code is <b>771204</b></p>\n"
        b"--r--\n"
        b"--m\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\n"
        b"Order 12345678\n--m--\n"
    )
    c = content_from_bytes(raw)
    assert c.text is None
    assert c.html is not None and "771204" in c.html
    assert extract_otp(c).value == "771204"


def test_unknown_charset_and_latin1() -> None:
    raw = (
        b"Subject: Code\nContent-Type: text/plain; charset=x-bogus-42\n\nCode: 5512\n"
    ) + "Grüße".encode("latin-1")
    c = content_from_bytes(raw)
    assert c.text is not None and "Code: 5512" in c.text


def test_broken_mime_never_raises() -> None:
    for raw in (
        b"",
        b"\x00\xff\xfe garbage",
        b'Content-Type: multipart/alternative; boundary="x"\n\n--x\nno end',
        b"Subject: =?utf-8?b?!!!?=\n\nbody 123456",
        b"Content-Transfer-Encoding: base64\n\n@@@not base64@@@",
    ):
        c = content_from_bytes(raw)
        assert isinstance(c, MailContent)


def test_html_declared_as_plain_is_treated_as_html() -> None:
    raw = b"Subject: x\nContent-Type: text/plain\n\n<html><body><p>Hi</p></body></html>"
    c = content_from_bytes(raw)
    assert c.html is not None and c.text is None
