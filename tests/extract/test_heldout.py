"""Held-out realistic verification emails (written before tuning the engine).

Modelled on how real services format their mails: many senders, templates and
languages, plus hard negatives (receipts, shipping, invites, security notices).
Judged like the product: exact value, no wrong value at confidence >= 0.9, and
calibration (expected calibration error) over the whole set.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from waypost.extract import extract

from .cases import Case, mc, page


def _cell(inner: str, style: str = "font-size:15px;color:#333;padding:8px 32px") -> str:
    return f'<tr><td style="{style}">{inner}</td></tr>'


def _code_cell(code: str) -> str:
    return _cell(
        code,
        "font-size:32px;font-weight:700;letter-spacing:6px;font-family:monospace;"
        "text-align:center;padding:16px",
    )


def _button(href: str, label: str) -> str:
    return _cell(
        f'<a href="{href}" style="background:#5046e5;color:#fff;padding:12px 24px;'
        f'border-radius:6px;text-decoration:none;display:inline-block">{label}</a>'
    )


def _mandrill(target: str) -> str:
    inner = json.dumps({"u": 30151, "v": 1, "url": target, "id": "9f3c1a0b2e"})
    outer = json.dumps({"s": "Zp0aQx1V7uLw3m", "v": 1, "p": inner})
    p = base64.urlsafe_b64encode(outer.encode()).decode().rstrip("=")
    return f"https://mandrillapp.com/track/click/30151/app.tandem.io?p={p}"


_SES_TARGET = "https://app.ledgerly.com/auth/verify?token=f8Kq2pZr7XmN4vLt"
_SES = (
    "https://d3k9.r.us-east-1.awstrack.me/L0/"
    + quote(_SES_TARGET, safe="")
    + "/1/010001891c4b2a7e-5d2f7a4e-3f1b-4c1a-9c7e-2d5e9b8f0a1c-000000/Yt3nq0Wm8KD7jUs=331"
)
_SAFE_TARGET = "https://login.contoso-hr.com/magic?code=Mx83hfQ2pLz0Wk"
_SAFE = (
    "https://nam12.safelinks.protection.outlook.com/?url="
    + quote(_SAFE_TARGET, safe="")
    + "&data=05%7C01%7Cjane%40contoso.com%7C8e1f%7C72f9&sdata=Qm0%2FZ4k%3D&reserved=0"
)
_MANDRILL_TARGET = "https://app.tandem.io/login/email?token=Hq7sK2mP9xLw4Zb8"
_SG = (
    "https://u2048511.ct.sendgrid.net/ls/click?upn=u001.Qd0kZ2Ft7Lx-2BpV9mW3nR8sT1yH4j"
    "Kc6bE5aU0oI-3D-3D_9xAb"
)
_MG = "https://email.mg.linkly.app/c/eJwlzEEOgyAQheHTOEsCiKILF71KQ5AqU4FmmND0-tV2-eXl_Xme"
_CHIMP = (
    "https://orbit.us14.list-manage.com/track/click?u=5c2f1e7a9b3d4c6e8f0a1b2c3&id=7e4d2a9b1f"
    "&e=3c8d1e2f4a"
)


HELDOUT: list[Case] = [
    # ------------------------------------------------------------------ OTP, English
    Case(
        "h_github_device",
        "otp",
        "83921754",
        mc(
            "[GitHub] Please verify your device",
            text="Hey mona!\n\nA sign in attempt requires further verification because we did not "
            "recognize your device. To complete the sign in, enter the verification code on the "
            "unrecognized device.\n\nDevice: Firefox on Windows\nVerification code: 83921754\n\n"
            "If you did not attempt to sign in to your account, your password may be compromised."
            "\n\nThanks,\nThe GitHub Team",
            sender="GitHub <noreply@github.com>",
        ),
    ),
    Case(
        "h_google_verify",
        "otp",
        "582046",
        mc(
            "Email verification code: 582046",
            html=page(
                _cell("Google")
                + _cell("Verify your email")
                + _cell(
                    "Google received a request to use <b>kim.lee@example.org</b> as a recovery "
                    "email for Google Account <b>kim.lee.88@gmail.com</b>.<br><br>Use this code "
                    "to finish setting up this recovery email:"
                )
                + _code_cell("582046")
                + _cell("This code will expire in 24 hours.")
                + _cell("If you don’t recognize kim.lee.88@gmail.com, you can safely ignore it."),
                brand="Google",
                domain="google.com",
            ),
            sender="Google <no-reply@accounts.google.com>",
        ),
    ),
    Case(
        "h_microsoft_security",
        "otp",
        "4417",
        mc(
            "Microsoft account security code",
            text="Microsoft account\n\nSecurity code\n\nPlease use the following security code "
            "for the Microsoft account jo*****@outlook.com.\n\nSecurity code: 4417\n\nIf you "
            "don't recognize the Microsoft account jo*****@outlook.com, you can click here to "
            "remove your email address from that account.\n\nThanks,\nThe Microsoft account team",
            sender="Microsoft <account-security-noreply@accountprotection.microsoft.com>",
        ),
    ),
    Case(
        "h_apple_id",
        "otp",
        "730194",
        mc(
            "Verify your Apple ID email address",
            html=page(
                _cell("Verify your email address.")
                + _cell(
                    "You have selected this email address as your new Apple ID. To verify this "
                    "email address belongs to you, enter the code below on the email verification"
                    " page:"
                )
                + _cell("<b style='font-size:24px'>730194</b>")
                + _cell(
                    "This code will expire three hours after this email was sent.<br>"
                    "<b>Why you received this email.</b><br>Apple requires verification whenever "
                    "an email address is selected as an Apple ID."
                ),
                brand="Apple",
                domain="apple.com",
            ),
        ),
    ),
    Case(
        "h_amazon_otp",
        "otp",
        "915302",
        mc(
            "Amazon password assistance",
            html=page(
                _cell("Password assistance")
                + _cell("To authenticate, please use the following One Time Password (OTP):")
                + _cell("<p style='font-size:20px;font-weight:bold'>915302</p>")
                + _cell(
                    "Don't share this OTP with anyone. Our customer service team will never ask "
                    "you for your password, OTP, credit card, or banking info.<br>We hope to see "
                    "you again soon."
                ),
                brand="Amazon",
                domain="amazon.com",
            ),
        ),
    ),
    Case(
        "h_stripe_login",
        "otp",
        "204817",
        mc(
            "Your Stripe verification code",
            text="Stripe\n\nHere is your Stripe verification code:\n\n204-817\n\nThis code will "
            "only be valid for the next 10 minutes. If you didn't try to log in, please reset "
            "your password immediately.\n\nStripe, 354 Oyster Point Blvd, South San Francisco, "
            "CA 94080",
        ),
    ),
    Case(
        "h_shopify_login",
        "otp",
        "638172",
        mc(
            "638172 is your Shopify login code",
            text="Hi Dana,\n\nEnter this code to log in to Shopify:\n638172\n\nThe code expires "
            "in 15 minutes. If you didn't request this, you can ignore this email.",
        ),
    ),
    Case(
        "h_discord_mfa",
        "otp",
        "551903",
        mc(
            "Your Discord verification code",
            html=page(
                _cell("Hey wumpus,")
                + _cell("Here is your Discord verification code:")
                + _code_cell("551903")
                + _cell("This code is valid for 10 minutes. Need help? Contact our support."),
                brand="Discord",
                domain="discord.com",
            ),
        ),
    ),
    Case(
        "h_steam_guard",
        "otp",
        "7KQ2C",
        mc(
            "Your Steam account: Access from new web or mobile device",
            text="Dear gabe_fan_91,\n\nHere is the Steam Guard code you need to login to account "
            "gabe_fan_91:\n\n7KQ2C\n\nThis email was generated because of a login attempt from a "
            "web or mobile device located at 81.22.160.41 (DE).\n\nThe login attempt included "
            "your correct account name and password.\n\nThe Steam Guard code is required to "
            "complete the login.\n\nThe Steam Team",
        ),
    ),
    Case(
        "h_x_confirm",
        "otp",
        "k4m7ps2q",
        mc(
            "Your X confirmation code is k4m7ps2q",
            text="Confirm your email address\n\nThere’s one quick step you need to complete "
            "before creating your X account. Let’s make sure this is the right email address for "
            "you — please confirm this is the right address to use for your new account.\n\n"
            "Please enter this verification code to get started on X:\n\nk4m7ps2q\n\nVerification"
            " codes expire after two hours.\n\nThanks,\nX",
        ),
    ),
    Case(
        "h_instagram_subject",
        "otp",
        "408613",
        mc(
            "408613 is your Instagram code",
            html=page(
                _cell("Hi travelbug_22,")
                + _cell(
                    "Someone tried to log in to your Instagram account. If this was you, please "
                    "use the following code to confirm your identity:"
                )
                + _cell("<span style='font-size:22px'>408613</span>")
                + _cell("If this wasn't you, please reset your password to secure your account."),
                brand="Instagram",
                domain="instagram.com",
            ),
        ),
    ),
    Case(
        "h_facebook_subject_only",
        "otp",
        "71039428",
        mc(
            "71039428 is your Facebook confirmation code",
            html=page(
                _cell("Hi Sam,")
                + _cell(
                    "We received a request to confirm your email. Enter the code from the subject"
                    " line of this email to continue.",
                ),
                brand="Facebook",
                domain="facebook.com",
            ),
        ),
    ),
    Case(
        "h_pin_short",
        "otp",
        "4407",
        mc("Your PIN", text="Hi,\nYour PIN is 4407\nThanks"),
    ),
    Case(
        "h_use_spaced",
        "otp",
        "829114",
        mc("Sign in to Figma", text="Use 829 114 to sign in.\n\nThis expires in 10 minutes."),
    ),
    Case(
        "h_dash_pairs",
        "otp",
        "527190",
        mc("Your code", text="Enter this code: 52-71-90\n\nIt expires shortly."),
    ),
    Case(
        "h_bank_sms_style",
        "otp",
        "662013",
        mc(
            "One-time passcode",
            text="First Harbor Bank: 662013 is your one-time passcode for online banking. Never "
            "share it. We will never call to ask for it. Ref 88120.",
        ),
    ),
    Case(
        "h_auth0_verify",
        "otp",
        "318274",
        mc(
            "Verify your identity",
            html=page(
                _cell("<h2>Verify Your Identity</h2>")
                + _cell(
                    "Here is your verification code to complete your login at "
                    "<b>Mosaic Dashboard</b>:"
                )
                + _cell("<h1>318274</h1>")
                + _cell("This code will expire in 5 minutes.")
                + _cell(
                    "If you are having any issues with your account, please don't hesitate to "
                    "contact us by replying to this mail."
                ),
            ),
        ),
    ),
    Case(
        "h_okta",
        "otp",
        "90312457",
        mc(
            "One-time verification code",
            html=page(
                _cell("Hi Priya,")
                + _cell(
                    "You have requested an email verification code to sign in to your Northwind "
                    "account."
                )
                + _cell("Enter the following code:")
                + _cell("<b style='font-size:20px'>90312457</b>")
                + _cell("This code will expire in 5 minutes.")
                + _cell(
                    "If you didn't request this verification code, please contact your system "
                    "administrator immediately."
                ),
                brand="Okta",
                domain="okta.com",
            ),
        ),
    ),
    Case(
        "h_cognito_default",
        "otp",
        "061947",
        mc("Your verification code", text="Your verification code is 061947."),
    ),
    Case(
        "h_firebase_mfa",
        "otp",
        "772451",
        mc(
            "Your sign-in code for Pollinate",
            text="Hello,\n\n772451 is your Pollinate sign-in verification code.\n\nIf you didn't "
            "ask for this code, you can ignore this email.\n\nThanks,\nYour Pollinate team",
        ),
    ),
    Case(
        "h_supabase_otp",
        "otp",
        "412908",
        mc(
            "Your Magic Link",
            html='<h2>Magic Link</h2>\n<p>Follow this link to login:</p>\n<p><a href="'
            'https://xyzcompany.supabase.co/auth/v1/verify?token=pkce_8f2a&amp;type=magiclink">'
            "Log In</a></p>\n<p>Alternatively, enter the code: 412908</p>",
        ),
    ),
    Case(
        "h_clerk",
        "otp",
        "385261",
        mc(
            "385261 is your verification code",
            html=page(
                _cell("<b>Verification code</b>")
                + _cell("Enter the following verification code when prompted:")
                + _code_cell("385261")
                + _cell("To protect your account, do not share this code."),
                brand="Clerk",
                domain="clerk.dev",
            ),
        ),
    ),
    Case(
        "h_wordpress_2fa",
        "otp",
        "29D4K7",
        mc(
            "[My Blog] Login Confirmation Code",
            text="Enter 29D4K7 to log in.",
        ),
    ),
    Case(
        "h_laravel_like",
        "otp",
        "5931",
        mc(
            "Two Factor Authentication",
            text="Hello!\n\nYour two factor code is 5931\n\nThe code will expire in 10 minutes\n\n"
            "If you have not tried to login, ignore this message.\n\nRegards,\nLaravel",
        ),
    ),
    Case(
        "h_paypal",
        "otp",
        "318642",
        mc(
            "Your security code",
            text="PayPal: 318642 is your security code. Don't share your code.",
        ),
    ),
    Case(
        "h_code_in_table_cells",
        "otp",
        "246813",
        mc(
            "Verify your email",
            html=page(
                _cell("Your verification code")
                + "<tr>"
                + "".join(
                    f'<td style="font-size:28px;border:1px solid #ccc;padding:8px">{d}</td>'
                    for d in "246813"
                )
                + "</tr>"
                + _cell("The code expires in 30 minutes."),
            ),
        ),
    ),
    Case(
        "h_linear_code",
        "otp",
        "KX7-29P",
        mc(
            "Linear login code: KX7-29P",
            text="Your login code for Linear\n\nKX7-29P\n\nThis code will only be valid for the "
            "next 15 minutes.",
        ),
        accept=("KX729P",),
    ),
    # ------------------------------------------------------------------ OTP, other languages
    Case(
        "h_de_sparkasse",
        "otp",
        "804126",
        mc(
            "Ihr Bestätigungscode",
            text="Guten Tag Frau Weber,\n\nIhr Bestätigungscode für die Anmeldung lautet:\n\n"
            "804126\n\nDer Code ist 10 Minuten gültig. Bestellnummer und Kundennummer finden Sie "
            "in Ihrem Postfach.\n\nMit freundlichen Grüßen\nIhr Online-Banking-Team",
        ),
    ),
    Case(
        "h_fr_code",
        "otp",
        "537219",
        mc(
            "Votre code de vérification",
            text="Bonjour,\n\nVoici votre code de vérification : 537219\n\nCe code expire dans 15 "
            "minutes. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
        ),
    ),
    Case(
        "h_es_mercadolibre",
        "otp",
        "660183",
        mc(
            "Tu código de verificación",
            text="Hola Lucía,\n\nUsa este código para continuar:\n\n660183\n\nNo lo compartas con "
            "nadie. Vence en 30 minutos.",
        ),
    ),
    Case(
        "h_pl",
        "otp",
        "148203",
        mc(
            "Kod weryfikacyjny",
            text="Cześć,\n\nTwój jednorazowy kod to: 148203\n\nKod jest ważny przez 10 minut. "
            "Nie udostępniaj go nikomu.",
        ),
    ),
    Case(
        "h_tr",
        "otp",
        "390571",
        mc(
            "Doğrulama kodunuz",
            text="Merhaba,\n\nHesabınıza giriş yapmak için tek kullanımlık şifreniz: 390571\n\n"
            "Bu şifre 3 dakika geçerlidir.",
        ),
    ),
    Case(
        "h_sv",
        "otp",
        "722914",
        mc(
            "Din engångskod",
            text="Hej!\n\nDin engångskod för inloggning är 722914.\n\nKoden gäller i 10 minuter.",
        ),
    ),
    Case(
        "h_da",
        "otp",
        "318840",
        mc(
            "Din kode",
            text="Hej,\n\nBrug denne kode for at logge ind:\n\n318840\n\nKoden udløber om 15 "
            "minutter.",
        ),
    ),
    Case(
        "h_no",
        "otp",
        "590127",
        mc(
            "Bekreftelseskode",
            text="Hei,\n\nDin bekreftelseskode er 590127\n\nKoden er gyldig i 10 minutter.",
        ),
    ),
    Case(
        "h_fi",
        "otp",
        "271658",
        mc(
            "Kirjautumiskoodisi",
            text="Hei,\n\nKirjautumiskoodisi on 271658\n\nKoodi on voimassa 10 minuuttia.",
        ),
    ),
    Case(
        "h_cs",
        "otp",
        "604331",
        mc(
            "Ověřovací kód",
            text="Dobrý den,\n\nváš ověřovací kód je 604331.\n\nKód je platný 10 minut.",
        ),
    ),
    Case(
        "h_hu",
        "otp",
        "845102",
        mc(
            "Ellenőrző kód",
            text="Kedves Felhasználó!\n\nAz ellenőrző kódod: 845102\n\nA kód 10 percig érvényes.",
        ),
    ),
    Case(
        "h_ro",
        "otp",
        "903746",
        mc(
            "Codul de verificare",
            text="Bună,\n\nCodul tău de verificare este 903746.\n\nCodul expiră în 10 minute.",
        ),
    ),
    Case(
        "h_uk",
        "otp",
        "417925",
        mc(
            "Код підтвердження",
            text="Вітаємо!\n\nВаш код підтвердження: 417925\n\nКод дійсний протягом 10 хвилин.",
        ),
    ),
    Case(
        "h_ar",
        "otp",
        "630218",
        mc(
            "رمز التحقق الخاص بك",
            text="مرحبا،\n\nرمز التحقق الخاص بك هو: 630218\n\nصالح لمدة 10 دقائق.",
        ),
    ),
    Case(
        "h_he",
        "otp",
        "781340",
        mc(
            "קוד האימות שלך",
            text="שלום,\n\nקוד האימות שלך הוא: 781340\n\nהקוד בתוקף ל-10 דקות.",
        ),
    ),
    Case(
        "h_hi",
        "otp",
        "254901",
        mc(
            "आपका सत्यापन कोड",
            text="नमस्ते,\n\nआपका सत्यापन कोड 254901 है।\n\nयह कोड 10 मिनट के लिए मान्य है।",
        ),
    ),
    Case(
        "h_th",
        "otp",
        "381462",
        mc(
            "รหัสยืนยันของคุณ",
            text="สวัสดี\n\nรหัสยืนยันของคุณคือ 381462\n\nรหัสนี้จะหมดอายุใน 10 นาที",
        ),
    ),
    Case(
        "h_vi",
        "otp",
        "506823",
        mc(
            "Mã xác minh của bạn",
            text="Xin chào,\n\nMã xác minh của bạn là: 506823\n\nMã có hiệu lực trong 10 phút.",
        ),
    ),
    Case(
        "h_id",
        "otp",
        "193857",
        mc(
            "Kode verifikasi Anda",
            text="Halo,\n\nKode OTP Anda adalah 193857. Jangan berikan kode ini kepada siapa pun."
            "\n\nBerlaku selama 5 menit.",
        ),
    ),
    Case(
        "h_ja_line",
        "otp",
        "4921",
        mc(
            "【メルカリ】認証番号のお知らせ",
            text="メルカリをご利用いただきありがとうございます。\n\n認証番号：4921\n\n"
            "認証番号の有効期限は30分です。",
        ),
    ),
    Case(
        "h_ko",
        "otp",
        "870241",
        mc(
            "[카카오] 인증번호 안내",
            text="안녕하세요.\n요청하신 인증번호는 [870241] 입니다.\n5분 안에 입력해 주세요.",
        ),
    ),
    # ------------------------------------------------------------------ magic links
    Case(
        "h_slack_magic",
        "magic_link",
        "https://app.slack.com/t/acme-hq/login/z-app-3190-8812?x=x-p31902-41fa9c",
        mc(
            "Slack sign-in link",
            html=page(
                _cell("<h1>Confirm your email address to sign in</h1>")
                + _cell("Click the button below to sign in to the <b>acme-hq</b> workspace.")
                + _button(
                    "https://app.slack.com/t/acme-hq/login/z-app-3190-8812?x=x-p31902-41fa9c",
                    "Sign in to Slack",
                )
                + _cell("This link will expire in 24 hours and can only be used once."),
                brand="Slack",
                domain="slack.com",
            ),
        ),
    ),
    Case(
        "h_notion_magic",
        "magic_link",
        "https://www.notion.so/loginwithemail?state=Yp2lKcX9&token=fT7rWmQ2zP8vLk3N",
        mc(
            "Your Notion login link",
            html=page(
                _cell("<h2>Login link</h2>")
                + _cell(
                    '<a href="https://www.notion.so/loginwithemail?state=Yp2lKcX9&amp;token='
                    'fT7rWmQ2zP8vLk3N">Click here to log in with this magic link</a>'
                )
                + _cell("Or, copy and paste this temporary login code:")
                + _cell("<code>nqb-aiel-pzx-woq</code>"),
                brand="Notion",
                domain="notion.so",
            ),
        ),
    ),
    Case(
        "h_figma_verify",
        "magic_link",
        "https://www.figma.com/verify?token=d81e6a92f3c4b7e0a1f5&email=ana%40studio.io",
        mc(
            "Verify your email address",
            html=page(
                _cell("Hi Ana, please verify your email to finish creating your Figma account.")
                + _button(
                    "https://www.figma.com/verify?token=d81e6a92f3c4b7e0a1f5&amp;email=ana%40"
                    "studio.io",
                    "Verify email",
                ),
                brand="Figma",
                domain="figma.com",
            ),
        ),
    ),
    Case(
        "h_linear_magic",
        "magic_link",
        "https://linear.app/auth/email/callback?token=5c0f1b7e94d24a0e8a7f&email=ops%40acme.dev",
        mc(
            "Log in to Linear",
            text="Log in to Linear\n\nClick the link below to log in:\n\nhttps://linear.app/auth/"
            "email/callback?token=5c0f1b7e94d24a0e8a7f&email=ops%40acme.dev\n\nThis link expires"
            " in 10 minutes. If you didn't request it, ignore this email.\n\nLinear · "
            "https://linear.app/privacy",
        ),
    ),
    Case(
        "h_mastodon_confirm",
        "magic_link",
        "https://mastodon.social/auth/confirmation?confirmation_token=xZ8_pq3LkA9Wt1mV",
        mc(
            "Mastodon: Confirmation instructions for mastodon.social",
            html=page(
                _cell("<h1>One last step!</h1>")
                + _cell(
                    "To confirm your e-mail address, click the button below. If you did not sign "
                    "up, you can ignore this e-mail."
                )
                + _button(
                    "https://mastodon.social/auth/confirmation?confirmation_token=xZ8_pq3LkA9Wt1mV",
                    "Verify e-mail address",
                ),
                brand="Mastodon",
                domain="mastodon.social",
            ),
        ),
    ),
    Case(
        "h_django_reset",
        "magic_link",
        "https://shop.example.net/accounts/reset/MTQ3/c1x9b4-4a8e0b3f2d1c7e9f0a2b/",
        mc(
            "Password reset on shop.example.net",
            text="You're receiving this email because you requested a password reset for your "
            "user account at shop.example.net.\n\nPlease go to the following page and choose a "
            "new password:\n\nhttps://shop.example.net/accounts/reset/MTQ3/c1x9b4-4a8e0b3f2d1c7e9"
            "f0a2b/\n\nYour username, in case you've forgotten: kmiller\n\nThanks for using our "
            "site!\n\nThe shop.example.net team",
        ),
    ),
    Case(
        "h_rails_devise",
        "magic_link",
        "https://app.bookwise.io/users/confirmation?confirmation_token=Gk3xq9sT2mPzW8vYhJ1c",
        mc(
            "Confirmation instructions",
            html="<p>Welcome reader@example.com!</p>\n<p>You can confirm your account email "
            'through the link below:</p>\n<p><a href="https://app.bookwise.io/users/'
            'confirmation?confirmation_token=Gk3xq9sT2mPzW8vYhJ1c">Confirm my account</a></p>',
        ),
    ),
    Case(
        "h_ses_wrapped",
        "magic_link",
        _SES,
        mc(
            "Confirm your Ledgerly account",
            html=page(
                _cell("Thanks for signing up! Please confirm your email address.")
                + _button(_SES, "Confirm email"),
                brand="Ledgerly",
                domain="ledgerly.com",
            ),
        ),
        accept=(_SES_TARGET,),
    ),
    Case(
        "h_safelinks_wrapped",
        "magic_link",
        _SAFE,
        mc(
            "Sign in to Contoso HR",
            html=page(
                _cell("Use the secure link below to sign in. It works once.")
                + _button(_SAFE, "Sign in"),
                brand="Contoso",
                domain="contoso-hr.com",
            ),
        ),
        accept=(_SAFE_TARGET,),
    ),
    Case(
        "h_mandrill_wrapped",
        "magic_link",
        _mandrill(_MANDRILL_TARGET),
        mc(
            "Your Tandem sign-in link",
            html=page(
                _cell("Click below to sign in to Tandem. The link expires in 15 minutes.")
                + _button(_mandrill(_MANDRILL_TARGET), "Sign in to Tandem"),
                brand="Tandem",
                domain="tandem.io",
            ),
        ),
        accept=(_MANDRILL_TARGET,),
    ),
    Case(
        "h_sendgrid_opaque",
        "magic_link",
        _SG,
        mc(
            "Verify your email for Pawtrack",
            html=page(
                _cell("Welcome to Pawtrack! Tap the button to verify your email address.")
                + _button(_SG, "Verify my email"),
                brand="Pawtrack",
                domain="pawtrack.co",
            ),
        ),
    ),
    Case(
        "h_mailgun_opaque",
        "magic_link",
        _MG,
        mc(
            "Activate your Linkly account",
            html=page(
                _cell("You're almost there. Activate your account to start shortening links.")
                + _button(_MG, "Activate account"),
                brand="Linkly",
                domain="linkly.app",
            ),
        ),
    ),
    Case(
        "h_pl_magic",
        "magic_link",
        "https://konto.przyklad.pl/potwierdz?token=Wq82LmZx0pTr5s",
        mc(
            "Potwierdź swój adres e-mail",
            html=page(
                _cell("Dziękujemy za rejestrację. Kliknij przycisk, aby potwierdzić adres e-mail.")
                + _button("https://konto.przyklad.pl/potwierdz?token=Wq82LmZx0pTr5s", "Potwierdź"),
                domain="przyklad.pl",
            ),
        ),
    ),
    Case(
        "h_tr_magic",
        "magic_link",
        "https://hesap.ornek.com.tr/dogrula?t=Pz83kQ1mXw0vR7",
        mc(
            "E-posta adresinizi doğrulayın",
            html=page(
                _cell("Hesabınızı etkinleştirmek için aşağıdaki düğmeye tıklayın.")
                + _button("https://hesap.ornek.com.tr/dogrula?t=Pz83kQ1mXw0vR7", "Doğrula"),
                domain="ornek.com.tr",
            ),
        ),
    ),
    # ------------------------------------------------------------------ hard negatives
    Case(
        "n_receipt",
        "none",
        None,
        mc(
            "Your receipt from Blue Bottle Coffee #2281-5530",
            text="Receipt #2281-5530\n\nAmount paid: $18.40\nDate paid: March 3, 2025\nPayment "
            "method: Visa – 4242\n\n2 × Cold Brew  $11.00\n1 × Croissant  $4.75\nTax  $2.65\n\n"
            "Questions? Contact us at 415 555 0199.",
        ),
    ),
    Case(
        "n_shipping",
        "none",
        None,
        mc(
            "Your package is on the way",
            text="Good news! Your order 112-4471093-2210937 has shipped.\n\nCarrier: UPS\n"
            "Tracking number: 1Z999AA10123456784\nEstimated delivery: Thursday 14\n\nTrack your "
            "package: https://www.ups.com/track?tracknum=1Z999AA10123456784",
        ),
    ),
    Case(
        "n_calendar",
        "none",
        None,
        mc(
            "Invitation: Quarterly review @ Tue 18 Jun 2025 14:00 - 15:00 (CEST)",
            text="Quarterly review\nTuesday 18 June 2025 ⋅ 14:00 – 15:00 (Central European Summer"
            " Time)\n\nJoin with Google Meet: meet.google.com/abc-defg-hij\nJoin by phone: "
            "(US) +1 413-555-0142 PIN: 482 119 337#\n\nOrganizer: maria@acme.com\nGuests: 6",
        ),
    ),
    Case(
        "n_password_changed",
        "none",
        None,
        mc(
            "Your password was changed",
            text="Hi Alex,\n\nThe password for your Acme account was changed on 12 May 2025 at "
            "09:41 UTC from IP address 198.51.100.23 (Lisbon, Portugal).\n\nIf you made this "
            "change, no further action is needed. If not, reset your password at once.\n\n"
            "Request ID: 550231",
        ),
    ),
    Case(
        "n_newsletter",
        "none",
        None,
        mc(
            "The 2025 Spring Sale starts now – save 30%",
            text="Spring into savings! Our biggest sale of 2025 is here.\n\nNoise-cancelling "
            "headphones now 199 (was 279)\nUse code SPRING30 at checkout.\n\nOffer ends April 30."
            "\n\nUnsubscribe: https://news.acme.com/unsubscribe?u=84121",
        ),
    ),
    Case(
        "n_2fa_disabled",
        "none",
        None,
        mc(
            "Two-factor authentication disabled",
            text="Two-factor authentication was disabled for your account on 4 Feb 2025 from a "
            "device in Austin, TX.\n\nIf this was you, no action is required. If not, contact "
            "support and quote case 884213.",
        ),
    ),
    Case(
        "n_bank_statement",
        "none",
        None,
        mc(
            "Your statement is ready",
            text="Your e-statement for account ending 7731 is now available in online banking.\n"
            "Statement period: 01 Apr – 30 Apr\nClosing balance: 2 310,55 EUR\nCustomer number "
            "40917233",
        ),
    ),
    Case(
        "n_flight",
        "none",
        None,
        mc(
            "Your booking confirmation – LH 1832",
            text="Booking reference: K7QZ4P\nFlight LH 1832 Munich → Lisbon\nDeparture 07:25, "
            "seat 14C\nTicket number 220 4311957720\nBaggage: 1 × 23 kg",
        ),
    ),
    Case(
        "n_new_signin_notice",
        "none",
        None,
        mc(
            "New sign-in to your account",
            html=page(
                _cell("We noticed a new sign-in to your Acme account.")
                + _cell(
                    "Device: iPhone 15 · iOS 17.4<br>Location: Denver, CO 80202<br>Time: "
                    "June 3, 2025 at 10:12 PM"
                )
                + _cell("If this was you, you can ignore this email."),
            ),
        ),
    ),
    Case(
        "n_pl_order",
        "none",
        None,
        mc(
            "Potwierdzenie zamówienia nr 558213",
            text="Dziękujemy za zamówienie nr 558213.\nKwota: 149,99 zł\nPrzewidywana dostawa: "
            "3–5 dni roboczych.",
        ),
    ),
    Case(
        "n_welcome_no_action",
        "none",
        None,
        mc(
            "Welcome to Acme!",
            html=page(
                _cell("Your email has been verified. Welcome aboard!")
                + _cell('<a href="https://acme.com/docs/getting-started">Read the docs</a>'),
            ),
        ),
    ),
    Case(
        "n_github_pr",
        "none",
        None,
        mc(
            "Re: [acme/api] Fix token refresh (PR #4821)",
            text="@jsmith approved these changes.\n\nIn src/auth.ts line 182:\n> const ttl = "
            "3600\n\nLooks good. Merged commit 8f3e2a1 into main.",
        ),
    ),
]


def _run(case: Case) -> tuple[str | None, float]:
    mode = case.kind if case.kind in ("otp", "magic_link") else "auto"
    result = extract(case.content, mode)  # type: ignore[arg-type]
    return result.value, result.confidence


def _norm(value: str | None) -> str | None:
    return None if value is None else value.replace(" ", "").replace("-", "")


def _right(case: Case, value: str | None, confidence: float) -> bool:
    if case.kind == "none":
        return value is None or confidence < 0.5
    accepted = {case.expected, *case.accept}
    if case.kind == "otp":
        return _norm(value) in {_norm(a) for a in accepted}
    return value in accepted


def evaluate(cases: list[Case]) -> dict[str, float]:
    """Exact rate, confidently-wrong count and 10-bin ECE, scored like bench/extraction.py."""
    right = 0
    wrong_hi = 0
    pairs: list[tuple[float, bool]] = []
    for case in cases:
        value, conf = _run(case)
        ok = _right(case, value, conf)
        right += ok
        if case.kind != "none":
            pairs.append((conf, ok))
        elif value is not None:
            pairs.append((conf, False))
        if value is not None and conf >= 0.9 and (case.kind == "none" or not ok):
            wrong_hi += 1
    total = 0.0
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        sel = [(c, k) for c, k in pairs if lo <= c < hi or (b == 9 and c == 1.0)]
        if sel:
            acc = sum(k for _, k in sel) / len(sel)
            mean = sum(c for c, _ in sel) / len(sel)
            total += len(sel) / len(pairs) * abs(acc - mean)
    return {"exact": right / len(cases), "wrong_hi": wrong_hi, "ece": total}


def test_heldout_size() -> None:
    assert len(HELDOUT) >= 60
    assert len({c.name for c in HELDOUT}) == len(HELDOUT)


@pytest.mark.parametrize("case", HELDOUT, ids=lambda c: c.name)
def test_heldout_case(case: Case) -> None:
    value, confidence = _run(case)
    assert 0.0 <= confidence <= 1.0
    assert _right(case, value, confidence), (value, confidence)


def test_heldout_bars() -> None:
    stats = evaluate(HELDOUT)
    assert stats["wrong_hi"] == 0
    assert stats["exact"] >= 0.97
    assert stats["ece"] <= 0.1


if __name__ == "__main__":  # pragma: no cover - manual report
    print(evaluate(HELDOUT))
    for c in HELDOUT:
        v, k = _run(c)
        print(f"{'ok ' if _right(c, v, k) else 'BAD'} {k:.2f} {c.name:28} {v!r:.70}")
