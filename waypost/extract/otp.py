"""OTP / verification-code extraction: candidate generation, feature scoring, confidence."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._limits import MAX_CANDIDATES, MAX_SUBJECT_CHARS, Work
from ._model import Candidate, Extraction, MailContent
from ._text import factor, first_chars, normalize, parse_html, plain_text, split_lines
from .confidence import confidences
from .quoted import Quoted, quoted_ranges, subject_is_forward, subject_is_reply

# --------------------------------------------------------------------------- keywords
_STRONG_LATIN = (
    r"verification codes?|verify code|verification pin|security codes?|one[- ]?time|otp"
    r"|pass ?codes?|token is|pin is|your pin|your token|log[- ]?in codes?"
    r"|sign[- ]?(?:in|on) codes?|authentication codes?"
    r"|auth codes?|access codes?|confirmation codes?|2fa|two[- ]factor|2[- ]step|mfa"
    r"|temporary codes?|single[- ]use|activation codes?|validation codes?|your codes?"
    r"|the codes?|this codes?|following codes?|codes? below|pin codes?|codes? is|code:"
    r"|bestätigungscode|verifizierungscode|sicherheitscode|anmeldecode|einmalcode|einmal-code"
    r"|einmalpasswort|zugangscode|authentifizierungscode|prüfcode|freigabecode|ihr code"
    r"|dein code|folgenden code|code lautet|ihre tan|deine tan|m-?tan|sms-?tan|push-?tan"
    r"|tan lautet|transaktionsnummer|bestätigungs-code|verifikationscode"
    r"|code de vérification|code de confirmation|code de sécurité|code de connexion"
    r"|code à usage unique|votre code|ton code|code d'accès|code d'authentification"
    r"|code unique|code suivant|code ci-dessous|code temporaire|code de validation"
    r"|código de verificación|código de seguridad|código de acceso|código de confirmación"
    r"|código de inicio de sesión|tu código|su código|código único|siguiente código"
    r"|código de un solo uso|código de verificação|código de segurança|seu código|o código"
    r"|código abaixo|código de autenticación|código de autenticação|código temporal"
    r"|código de validación|código de ativação|código de activación|el código"
    r"|codice di verifica|codice di sicurezza|codice di accesso|il tuo codice|codice monouso"
    r"|codice di conferma|seguente codice|codice temporaneo|codice di autenticazione"
    r"|verificatiecode|beveiligingscode|inlogcode|je code|uw code|toegangscode"
    r"|код подтверждения|код проверки|одноразов\w*|код безопасности|код для входа|ваш код"
    r"|проверочный код|код:|код доступа|код активации"
    r"|код підтвердження|код безпеки|код для входу|перевірочний код|код верифікації"
    r"|kod weryfikacyjny|kod potwierdzający|twój kod|kod jednorazowy|jednorazowy kod"
    r"|kod dostępu|kod bezpieczeństwa|kod logowania|kod autoryzacyjny|hasło jednorazowe"
    r"|doğrulama kod\w*|onay kod\w*|güvenlik kod\w*|giriş kod\w*|tek kullanımlık|kodunuz"
    r"|verifieringskod\w*|bekräftelsekod\w*|engångskod\w*|säkerhetskod\w*|inloggningskod\w*"
    r"|engangskode\w*|bekræftelseskode\w*|sikkerhedskode\w*|verifikationskode\w*"
    r"|bekreftelseskode\w*|sikkerhetskode\w*|verifiseringskode\w*|påloggingskode\w*"
    r"|engångslösenord|din kod|din kode|koden är|koden er|koden din"
    r"|(?<!\w)\w*koodi(?:si|nne|a|n)?|kertakäyttö\w*|kertakoodi\w*"
    r"|ověřovací kód|potvrzovací kód|jednorázový kód|bezpečnostní kód|přihlašovací kód"
    r"|váš kód|overovací kód|(?<!\w)\w*(?:ellenőrző|megerősítő|biztonsági|belépési|hitelesítő)"
    r" ?kód\w*|kódod|kódja|egyszer használatos"
    r"|cod(?:ul)? de (?:verificare|confirmare|securitate|autentificare|acces)|codul (?:tău|dvs)"
    r"|cod unic|mã xác minh|mã xác thực|mã xác nhận|mã otp|mã của bạn|mã bảo mật|mã đăng nhập"
    r"|mật khẩu một lần|kode verifikasi|kode otp|kode anda|kode keamanan|kode konfirmasi"
    r"|kode masuk|kode sekali pakai|kata sandi sekali pakai|kod pengesahan"
)
_STRONG_CJK = (
    r"認証コード|確認コード|検証コード|ワンタイム|セキュリティコード|認証番号|ログインコード"
    r"|パスコード|確認用コード|コードを入力|验证码|驗證碼|校验码|校驗碼|动态码|動態碼|动态密码"
    r"|動態密碼|一次性|安全码|确认码|確認碼|验证代码|登录码|인증번호|인증 번호|인증코드|인증 코드"
    r"|확인 코드|확인코드|보안 코드|보안코드|일회용|본인확인|認證碼|认证码|인증 번호는"
    r"|رمز التحقق|رمز التأكيد|كود التحقق|رمز الدخول|لمرة واحدة|رمز الأمان|رمزك"
    r"|קוד האימות|קוד אימות|קוד חד[- ]פעמי|סיסמה חד[- ]פעמית|קוד הכניסה|קוד אבטחה|קוד האישור"
    r"|הקוד שלך|सत्यापन कोड|ओटीपी|वन टाइम पासवर्ड|एक बार का पासवर्ड|पुष्टिकरण कोड|आपका कोड"
    r"|लॉगिन कोड|सुरक्षा कोड|รหัสยืนยัน|รหัส otp|รหัสผ่านแบบใช้ครั้งเดียว|รหัสความปลอดภัย"
    r"|รหัสเข้าสู่ระบบ|รหัสของคุณ|รหัสตรวจสอบ|รหัสotp"
)
_WEAK_LATIN = (
    r"codes?|pin|token|código|codigo|codice|kod|kode|код|kód|koodi|verify|verification"
    r"|verif\w*|authenti\w*|log ?in|sign ?in|anmeld\w*|connexion|enter|eingeben|saisi\w*"
    r"|introduce|ingresa|insira|inserisci|digite|введите|passwor\w*|kennwort|contraseña"
    r"|mot de passe|senha|bestätig\w*|confirm\w*|kód\w*|kod\w*|kode\w*|koodi\w*|cod\w*"
    r"|hasło|hasła|zaloguj\w*|logowani\w*|weryfikac\w*|potwierd\w*|şifre\w*|doğrula\w*"
    r"|giriş|onay\w*|lösenord|logga in|verifi\w*|bekräfta\w*|adgangskode|log ind|bekræft\w*"
    r"|passord|logg inn|bekreft\w*|salasana\w*|kirjaudu\w*|vahvist\w*|heslo|přihlás\w*"
    r"|ověř\w*|potvr\w*|jelszó\w*|bejelentkez\w*|megerősít\w*|ellenőr\w*|parol\w*"
    r"|autentific\w*|conecta\w*|verific\w*|пароль|увійти|вхід\w*|підтверд\w*|войти"
    r"|подтверд\w*|mã|mật khẩu|đăng nhập|xác minh|xác nhận|xác thực|kata sandi|masuk"
    r"|verifikasi|konfirmasi"
)
_WEAK_CJK = (
    r"コード|認証|确认|驗證|验证|代码|代碼|코드|인증|입력|入力|输入|輸入|パスワード|密码|密碼"
    r"|비밀번호|رمز|كود|كلمة المرور|تسجيل الدخول|تأكيد|التحقق|קוד|סיסמה|אימות|כניסה|התחבר"
    r"|אישור|कोड|पासवर्ड|सत्यापन|लॉगिन|साइन इन|पुष्टि|รหัส|ยืนยัน|เข้าสู่ระบบ"
)

_NEG_LATIN = (
    r"orders?|invoices?|receipt|tickets?|case|reference|ref|tracking|shipment|shipping"
    r"|booking|reservation|confirmation (?:number|no|#)|account (?:number|no)|acct|customer"
    r"|member(?:ship)?|transaction|policy|serial|model|sku|item|article|zip|postal|postcode"
    r"|post code|plz|cap|phone|tel|telephone|mobile|cell|call|fax|suite|ste|apt|street|ave|st"
    r"|avenue|road|blvd|floor|box|id|no|nr|bestellung|bestellnummer|rechnung\w*|auftrag\w*"
    r"|kundennummer|telefon|straße|strasse|pedido|factura|teléfono|telefone|calle|commande"
    r"|facture|téléphone|rue|ordine|fattura|telefono|encomenda|fatura|rua|заказ\w*|сч[её]т"
    r"|телефон|улица|flight|flug|vol|vuelo|gate|seat|room|loyalty|points|balance|amount"
    r"|total|price|subtotal|tax|vat|iban|bic|swift|routing|card|ending in|ends in|last 4"
    r"|voucher|coupon|promo\w*|discount|gift card|isbn|issue|pull request|pr|commit|build"
    r"|version|release|job|unit|ext|extension|hotline|helpline|sort code|bank code|blz"
    r"|promotion|offer|sale|save|deal|rabatt|gutschein|cupón|descuento|réduction|sconto"
    # orders, parcels, tracking and reference numbers in the other supported languages
    r"|parcel|package|consignment|waybill|awb|delivery|sendung\w*|paket\w*|lieferung\w*"
    r"|suivi|colis|envoi|référence|seguimiento|envío|rastreo|referencia|spedizione"
    r"|tracciamento|riferimento|pacco|rastreamento|rastreio|envio|referência|bestelling"
    r"|bestelnummer|zending|pakket|referentie|factuur|zamówieni\w*|przesyłk\w*|śledzeni\w*"
    r"|faktur\w*|objednávk\w*|zásilk\w*|sledování|sipariş\w*|kargo\w*|takip|beställning\w*"
    r"|försändelse\w*|spårning\w*|bestilling\w*|ordre\w*|forsendelse\w*|sporing\w*|pakke\w*"
    r"|tilaus\w*|lähety\w*|seuranta\w*|rendelés\w*|csomag\w*|nyomkövet\w*|comand\w*|colet\w*"
    r"|urmărire|trek\w*|трек\w*|отслеживани\w*|посылк\w*|отправлени\w*|накладн\w*"
    r"|доставк\w*|замовлен\w*|відстежен\w*|посилк\w*|відправлен\w*|παραγγελ\w*|αποστολ\w*"
    r"|đơn hàng|vận đơn|vận chuyển|giao hàng|tham chiếu|pesanan|resi|pengiriman|lacak"
    r"|referensi"
)
_NEG_CJK = (
    r"注文|電話|订单|訂單|发票|電話番号|电话|주문|전화|郵便|邮编|우편|金額|金额|合計|合计|价格|価格"
    r"|ポイント|积分|포인트|会員番号|会员|회원번호|クーポン|优惠|쿠폰|〒|고객센터|문의|客服|お問い合わせ"
    r"|客户服务|サポート|コールセンター"
    r"|追跡|配送|伝票|発送|出荷|運送|运单|運單|快递|快遞|物流|单号|單號|跟踪|追踪|追蹤|发货|發貨"
    r"|운송장|송장|배송|추적|택배"
    r"|التتبع|تتبع|الشحنة|شحنة|الشحن|الطلبية|رقم الطلب|طلبك|المرجع|مرجعي|الفاتورة|فاتورة"
    r"|بوليصة|البريدي|מעקב|משלוח|הזמנה|הזמנתך|אסמכתא|חשבונית|חבילה|ट्रैकिंग|ऑर्डर|शिपमेंट"
    r"|पार्सल|संदर्भ|พัสดุ|การจัดส่ง|คำสั่งซื้อ|ติดตาม|เลขอ้างอิง"
)
# short labels that are also ordinary words ("no" = not, "no" = in the (pt), "id" in
# "Apple ID verification code"): they label a number only when written right before it
_NEG_ABBR = frozenset(
    "no nr st ste ref id cap tel ext pr apt acct plz vol ave sku box case call".split()
)
_LABEL_GAP = re.compile(r"[\s.:#°º-]{0,4}")
# Universal Postal Union S10 item number (RR123456789DE): a parcel, never a code to type
_S10 = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
_UNIT_AFTER = re.compile(
    r"^\s?(?:minutes?|mins?|hours?|hrs?|h|seconds?|secs?|days?|weeks?|months?|years?|yrs?"
    r"|minuten|stunden|std|tagen?|sekunden|minutos?|horas?|días?|dias?|segundos?|heures?"
    r"|jours?|secondes?|minuti|ore|giorni|secondi|минут\w*|час\w*|дн\w*|секунд\w*|px|pt|em"
    r"|kb|mb|gb|tb|points?|pts|miles?|km|kg|lbs?|items?|users?|people|members|mal|times|x"
    r"|usd|eur|gbp|chf|jpy|cad|aud|inr|brl|rub|dollars?|euros?|reais|pesos?|yen|won"
    r"|€|\$|£|¥|円|元|원|руб\w*|₽|分|分間|分钟|小时|時間|秒|日|天|件|個|个|분|시간|초|일|개|명"
    r"|年|月|号|號|년|월|%|am|pm|a\.m\.|p\.m\.|uhr|hrs)(?![a-z])",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"(?<![^\W\d_])(?:(?<!\d\d)\d+ ?% off|off|sale|discount\w*|checkout|coupon\w*|promo\w*|offer\w*"
    r"|save|shop|shopping|free shipping|voucher|referral|refer|invite|friends?|rewards?|bonus"
    r"|gift|rabatt\w*|gutschein\w*|angebot|descuento\w*"
    r"|oferta|cupón|cupom|réduction|promotion|soldes|sconto|saldi|скидк\w*|промокод\w*"
    r"|desconto\w*|korting\w*|rabat\w*|zniżk\w*|kupon\w*|promocj\w*|i\u0307?ndirim\w*"
    r"|kampanya\w*|alennus\w*|sleva|slev\w*|kupón\w*|kedvezmény\w*|giảm giá|khuyến mãi"
    r"|diskon|voucher\w*)"
    r"(?![^\W\d_])|割引|クーポン|セール|优惠|折扣|할인|쿠폰|خصم|كوبون|הנחה|קופון|छूट|कूपन"
    r"|ส่วนลด|คูปอง|%"
)
_PROMO_CODE = re.compile(r"^[A-Z]*[AEIOU][A-Z]*[A-Z]{2,}\d{1,3}$")
# a code the mail itself calls stale ("118274 has expired", "previous code 771902")
_STALE_AFTER = re.compile(
    r"(?:has|have|had|is|was|were) (?:now |already )?(?:expired|invalid|been used|been revoked"
    r"|no longer valid)|no longer (?:valid|works?|be used|active)|(?:didn't|did not|doesn't"
    r"|does not|won't|will not) work|abgelaufen|nicht mehr gültig|a expiré|n'est plus valide"
    r"|ha caducado|ha expirado|ya no es válido|è scaduto|non è più valido|истек\w*"
    r"|больше не действ\w*|už není platný|vypršel\w*|utgått|är inte längre giltig"
)
_STALE_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:old|previous|expired|earlier|prior|former|used|invalid|alte[rn]?"
    r"|vorherige[rn]?|abgelaufene[rn]?|ancien|précédent|anterior|precedente|предыдущ\w*"
    r"|старый)(?: (?:verification|security|login|sign-in|one-time))? (?:codes?|pin|otp"
    r"|passcodes?|code|código|codice|код)[\s(:#]*$"
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₹₩₽]|usd|eur|gbp|chf|r\$|rs\.?|inr|brl)\s?$", re.I)


def _kw(latin: str, cjk: str) -> re.Pattern[str]:
    # each half behind a lookahead on its possible first characters: a position that
    # starts no keyword fails on one character class, not on every first-character group
    return re.compile(
        rf"(?<![^\W\d_]){first_chars(latin)}(?:{factor(latin)})(?![^\W\d_])"
        rf"|{first_chars(cjk)}(?:{factor(cjk)})"
    )


_STRONG = _kw(_STRONG_LATIN, _STRONG_CJK)
_WEAK = _kw(_WEAK_LATIN, _WEAK_CJK)
_NEG = _kw(_NEG_LATIN, _NEG_CJK)

# --------------------------------------------------------------------------- masking
_URLS = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_EMAILS = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOMAINS = re.compile(
    r"(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|co|de|fr|es|it|jp|cn|kr|ru|uk|app"
    r"|dev|example|localhost)\b(?:/\S*)?",
    re.IGNORECASE,
)
# Every alternative starts with a digit, a currency sign, "+", "(", "№", "n°"-like,
# "v" + digit or a hex group before ":" (IPv6): the lookahead says so first, so that
# the other positions of a line fail at once instead of in each of the alternatives
_MASK_START = r"(?=[\d$€£¥₹₩₽+(№]|n[°ºor]|v\d|[a-f][0-9a-f]{0,3}:)"
# the part every _DOMAINS match contains: without it, no word of the line is tried
_TLD = re.compile(
    r"\.(?:com|net|org|io|co|de|fr|es|it|jp|cn|kr|ru|uk|app|dev|example|localhost)\b",
    re.IGNORECASE,
)
_MASKS = re.compile(
    _MASK_START
    + "(?:"
    + "|".join(
        [
            r"\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?",
            r"(?<![\w:])[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){3,7}(?![\w:])",
            r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}",
            r"\d{4}\s?[年년]\s?(?:\d{1,2}\s?[月월]\s?)?(?:\d{1,2}\s?[日일])?",
            r"\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일]",
            r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?",
            r"\d{1,2}\s?h\s?\d{2}\b",
            r"\d{1,2}\s?時\s?\d{1,2}\s?分",
            r"[$€£¥₹₩₽]\s?\d[\d,.\s]*\d|[$€£¥₹₩₽]\s?\d",
            r"\d[\d,.]{0,40}\s?(?:€|\$|£|¥|円|元|원|₽|руб)",
            r"\d{1,40}[.,]\d{1,2}(?![\d])",
            r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?",
            r"\+\d[\d\s().-]{6,}\d",
            r"\(\d{2,4}\)\s?\d{2,4}[\s.-]?\d{3,4}",
            r"\d{2,4}[.-]\d{3,4}[.-]\d{3,4}",
            r"\d{3,4}\s\d{3,4}\s\d{3,4}(?:\s\d{2,4})?",
            r"\d{1,40}\s?%",
            r"(?<![^\W\d_])(?:№|n°|nº|no\.|nr\.)\s?\d+",
            r"(?<![\w.])[vV]\d+(?:\.\d+)+",
        ]
    )
    + ")",
    re.IGNORECASE,
)
_MASK_CHAR = "\x00"


def _blank(m: re.Match[str]) -> str:
    return _MASK_CHAR * len(m.group(0))


_DATE_LIKE = re.compile(r"^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})$")


def _plausible_date(a: str, b: str, c: str) -> bool:
    x, y, z = int(a), int(b), int(c)
    if len(a) == 4:
        return 1 <= y <= 12 and 1 <= z <= 31
    if not 1 <= y <= 31:
        return False
    return (1 <= x <= 31 and 1 <= y <= 12) or (1 <= x <= 12 and 1 <= y <= 31)


def _blank_masks(m: re.Match[str]) -> str:
    """Blank a masked match, except ``52-71-90``-style groups that cannot be a date."""
    text = m.group(0)
    d = _DATE_LIKE.match(text)
    if d and d.group(2) == "-" and not _plausible_date(d.group(1), d.group(3), d.group(4)):
        return text
    return _MASK_CHAR * len(text)


def _mask(line: str) -> str:
    """Blank out URLs, emails, domains, IPs, dates, times, prices, phones (same length)."""
    if "://" in line or "www." in line:
        line = _URLS.sub(_blank, line)
    if "@" in line:
        line = _EMAILS.sub(_blank, line)
    if "." in line and _TLD.search(line):
        line = _DOMAINS.sub(_blank, line)
    if _has_digit(line):
        line = _MASKS.sub(_blank_masks, line)
    return line


_ASCII_DIGIT = re.compile(r"[0-9]")


def _has_digit(s: str) -> bool:
    """``any(c.isdigit() for c in s)``, without a Python step per character."""
    if s.isascii():
        return _ASCII_DIGIT.search(s) is not None
    return any(map(str.isdigit, s))


# --------------------------------------------------------------------------- candidates
# tokens (maximal runs of ASCII letters and digits) that can be or join a code:
# those with a digit, and all-capital ones. A word with a lower-case letter and no
# digit has no shape and never joins a group; left out, it still ends a group (the
# separator around it is then no blank or dash)
_CODE_TOKEN = re.compile(r"(?<![0-9A-Za-z])(?:[A-Za-z]*+[0-9][0-9A-Za-z]*+|[A-Z]++(?![0-9a-z]))")
_STRIP = " \t\"'“”‘’«»*_:.,!()[]{}<>|=-–—"
_LAYOUT_RUN = re.compile("[" + re.escape(_STRIP + "\n\t") + "]+")
_UPPER_WORDS = frozenset(
    "CODE CODES HELLO VERIFY EMAIL LOGIN SIGNIN IMPORTANT NOTE WARNING HELP TEAM THANKS "
    "THANK YOUR ACCOUNT PASSWORD RESET CONFIRM WELCOME SECURITY ALERT NOTICE ENTER HERE "
    "CLICK BUTTON ACCESS TOKEN ACTION REQUIRED URGENT DEAR USER ADMIN SUPPORT FREE SALE "
    "OFFER NEW TODAY NOW INFO FROM WITH THIS THAT YOU THE AND FOR NOT ONLY VALID EXPIRES "
    "DONE OKAY SENT APPS SIGN UP OPEN MAIL TEXT HTML HTTP HTTPS UTF8 NULL NONE".split()
)
_VOWELS = frozenset("AEIOUY")


@dataclass
class _Occ:
    raw: str
    value: str
    source: str
    score: float
    reasons: list[str] = field(default_factory=list)
    quoted: bool = False


@dataclass
class _Src:
    name: str
    text: str
    emph: list[tuple[int, int, int]]
    quoted: Quoted = field(default_factory=Quoted)


def _is_digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def _valid_group(parts: list[str], seps: list[str]) -> bool:
    if len(parts) < 2:
        return False
    if all(_is_digits(p) for p in parts):
        lens = {len(p) for p in parts}
        total = sum(len(p) for p in parts)
        if lens == {1}:
            return 4 <= len(parts) <= 8 and all(s.strip(" \t") == "" for s in seps)
        if len(lens) != 1 or not 2 <= len(parts[0]) <= 4 or not 4 <= total <= 8:
            return False
        if all(len(p) == 4 and 1900 <= int(p) <= 2099 for p in parts):
            return False
        return all(s in (" ", "-", "\u2009", " - ") for s in seps)
    total = sum(len(p) for p in parts)
    if 10 < total <= 20 and len(parts) <= 5:
        # "QX4T-7BNP-K2MZ", "ABCDE-FGHIJ-KLMNO": long codes come in equal dashed groups
        return (
            len({len(p) for p in parts}) == 1
            and all(s == "-" for s in seps)
            and all(3 <= len(p) <= 5 and (p.isupper() or _is_digits(p)) for p in parts)
            and not all(_is_digits(p) for p in parts)
        )
    if not 4 <= total <= 10 or len(parts) > 3:
        return False
    # "G-482913", "FB-58302": a short letter prefix the input field already shows; users
    # type the digits only, so do not glue the prefix onto the code
    if (
        len(parts) == 2
        and seps == ["-"]
        and parts[0].isalpha()
        and len(parts[0]) <= 3
        and _is_digits(parts[1])
        and 4 <= len(parts[1]) <= 8
    ):
        return False
    if not all((2 <= len(p) <= 5 and p.isupper()) or _is_digits(p) for p in parts):
        return False
    joined = "".join(parts)
    if not any(c.isdigit() for c in joined) and not all(s == "-" for s in seps):
        return False
    if all(_is_digits(p) for p in parts):
        return False
    if all(s == " " for s in seps) and not all(any(c.isdigit() for c in p) for p in parts):
        return False
    return all(s in ("-", " ") for s in seps)


def _spans(masked: str) -> list[tuple[int, int, list[str]]]:
    """Token groups (start, end, parts) from a masked line."""
    toks = [(m.start(), m.end(), m.group(0)) for m in _CODE_TOKEN.finditer(masked)]
    out: list[tuple[int, int, list[str]]] = []
    i = 0
    n = len(toks)
    while i < n:
        start, end, tok = toks[i]
        # a group starts with a short number or capitals and goes on over separators
        # of at most 3 blanks / dashes; a token glued to the next is alone
        if (
            len(tok) > 5
            or not (tok.isdigit() or tok.isupper())
            or i + 1 == n
            or toks[i + 1][0] - end > 3
            or toks[i + 1][0] == end
        ):
            out.append((start, end, [tok]))
            i += 1
            continue
        best = -1
        j = i
        seps: list[str] = []
        while j + 1 < n and j - i < 7:
            sep = masked[toks[j][1] : toks[j + 1][0]]
            if not sep or len(sep) > 3 or sep.strip(" -\t\u2009") != "":
                break
            seps.append(sep)
            j += 1
            if _valid_group([t[2] for t in toks[i : j + 1]], seps):
                best = j
        if best > i:
            out.append((start, toks[best][1], [t[2] for t in toks[i : best + 1]]))
            i = best + 1
        else:
            out.append((start, end, [tok]))
            i += 1
    return out


_HEX = frozenset("0123456789abcdefABCDEF")


def _shape(value: str, parts: list[str]) -> tuple[str, float] | None:
    """Classify a candidate value; None when it cannot be a code at all."""
    grouped = len(parts) > 1
    if _is_digits(value):
        n = len(value)
        if not 4 <= n <= 8:
            return None
        bonus = {4: 0.2, 5: 0.2, 6: 0.9, 7: 0.1, 8: 0.4}[n]
        return f"{n} digits", bonus + (0.2 if grouped else 0.0)
    if not value.isascii() or not value.isalnum() or not 4 <= len(value) <= 20:
        return None
    has_digit = not value.isalpha()  # ASCII letters and digits only, from here
    if grouped and not has_digit:
        # "EKHOE-DIOBD", "ABC-DEF": equal groups of capitals read as one code
        if len({len(p) for p in parts}) == 1 and len(parts[0]) >= 3 and len(value) >= 6:
            if not any(p in _UPPER_WORDS for p in parts):
                return "grouped letters", 0.0
        return None
    if len(value) > 10:
        # "Jp2ABW17qTpqT0Bh8bSE": long codes mix cases or capitals with digits; a
        # lowercase or hexadecimal run (commit hash, id) is no code
        if grouped:
            return "alphanumeric", 0.0  # equal dashed groups with a digit (_valid_group)
        digits = sum(c.isdigit() for c in value)
        upper = sum(c.isupper() for c in value)
        if digits < 2 or len(value) - digits < 2 or upper < 2:
            return None
        if all(c in _HEX for c in value) and not value.isupper():
            return None
        return "long alphanumeric", -0.5
    if has_digit:
        if value.isupper() or (len(value) >= 6 and sum(c.isdigit() for c in value) >= 2):
            return "alphanumeric", 0.0
        return None
    if value.isupper() and value not in _UPPER_WORDS and len(value) >= 5:
        letters = [c for c in value if c.isalpha()]
        vowels = sum(c in _VOWELS for c in letters) / len(letters)
        return "letters", (-1.0 if vowels < 0.3 else -2.5)
    return None


class _once:
    """``functools.cached_property`` without its lock (Python 3.11 takes one per first
    access): computed on first access, then read from the instance like an attribute."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


# a digit or four capitals (only asked whether there is one): written to start with a
# character class, so that ``re`` skips to the digits and capitals of a line
_MAYBE = re.compile(r"[0-9A-Z](?:(?<=[0-9])|[A-Z]{3})")


class _Near:
    """A neighbouring line as the scorer sees it, with its keyword hits computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.label = text.rstrip().endswith(":")
        self._promo: bool | None = None
        self.tail32 = text[-32:]
        self.tail80 = text[-80:]

    # keyword hits, computed when first asked (the scorer skips rules that cannot win)
    @_once
    def strong_last(self) -> tuple[int, str] | None:
        """Distance from the end and word of the line's last strong keyword."""
        return _last_kw(_STRONG, self.text)

    @_once
    def weak_last(self) -> tuple[int, str] | None:
        """Distance from the end and word of the line's last weak keyword."""
        return _last_kw(_WEAK, self.text)

    @_once
    def strong_first(self) -> str | None:
        """The line's first strong keyword."""
        m = _first_kw(_STRONG, self.text)
        return m.group(0) if m else None

    @property
    def promo(self) -> bool:
        """Coupon / discount vocabulary on the line (computed when first asked)."""
        if self._promo is None:
            self._promo = _PROMO.search(self.text) is not None
        return self._promo


class _Line:
    """Per-line facts shared by every candidate on it (each computed once, when needed)."""

    def __init__(self, masked: str) -> None:
        self.masked = masked
        self.low = masked.lower()

    @_once
    def promo(self) -> bool:
        """Coupon / discount vocabulary on the line."""
        return _PROMO.search(self.low) is not None

    @_once
    def copyright(self) -> bool:
        """A copyright notice on the line."""
        low = self.low
        return "©" in low or "copyright" in low or "(c)" in low

    @_once
    def content_end(self) -> int:
        """End of the last character that is not layout punctuation: a candidate ending
        at or after it ends the line."""
        return len(self.low.rstrip(_STRIP + "\x00"))

    @_once
    def text_end(self) -> int:
        """End of the last character that is not whitespace (subject rule)."""
        return len(self.low.rstrip())

    @_once
    def _cells(self) -> tuple[list[int], list[tuple[int, str, str]]]:
        # tab-separated cells: ends, and (start, stripped text, without " " "-")
        cell_ends: list[int] = []
        cells: list[tuple[int, str, str]] = []
        pos = 0
        for seg in self.masked.split("\t"):
            stripped = seg.strip(_STRIP + "\x00")
            cell_ends.append(pos + len(seg))
            cells.append((pos, stripped, stripped.replace(" ", "").replace("-", "")))
            pos += len(seg) + 1
        return cell_ends, cells

    def cell(self, start: int) -> tuple[str, str]:
        """The cell holding offset ``start`` (the first one whose span includes it)."""
        cell_ends, cells = self._cells
        k = bisect_left(cell_ends, start)
        if k < len(cells) and cells[k][0] <= start:
            return cells[k][1], cells[k][2]
        return "", ""


class _Emphasis:
    """Emphasis lookups in O(log n): the strongest span around a range, exact spans."""

    def __init__(self, text: str, emph: list[tuple[int, int, int]]) -> None:
        spans = sorted(emph)
        self.starts = [es for es, _, _ in spans]
        # per level v (highest first): running maximum of the ends of spans of level >= v
        self.reach: list[tuple[int, list[int]]] = []
        for v in sorted({lv for _, _, lv in spans if lv > 0}, reverse=True):
            ends: list[int] = []
            r = -1
            for _, ee, lv in spans:
                if lv >= v:
                    r = max(r, ee)
                ends.append(r)
            self.reach.append((v, ends))
        # spans whose text, stripped of layout characters, is exactly [a, b): a span
        # start inside a run of layout characters moves to the run's end, a span end
        # inside one to the run's start (one pass over the runs, not the characters)
        self.exact: set[tuple[int, int]] = set()
        if spans:
            runs = [(m.start(), m.end()) for m in _LAYOUT_RUN.finditer(text)]
            run_starts = [rs for rs, _ in runs]
            n = len(text)
            for es, ee, _ in spans:
                first = es
                k = bisect_right(run_starts, es) - 1
                if k >= 0 and es < runs[k][1]:
                    first = runs[k][1]
                last = min(ee, n)  # end of the last kept character
                k = bisect_right(run_starts, last - 1) - 1
                if k >= 0 and last - 1 < runs[k][1]:
                    last = runs[k][0]
                if first < last:
                    self.exact.add((first, last))

    def level(self, a: int, b: int) -> tuple[int, bool]:
        """Highest level of the spans containing [a, b), and whether one is exactly it."""
        k = bisect_right(self.starts, a) - 1
        if k < 0:
            return 0, False
        for v, ends in self.reach:
            if ends[k] >= b:
                return v, (a, b) in self.exact
        return 0, False


@dataclass
class _Memo:
    """Per-mail caches keyed by a line's text: masked line, line facts, neighbour facts."""

    masked: dict[str, str] = field(default_factory=dict)
    line: dict[str, _Line] = field(default_factory=dict)
    near: dict[str, _Near] = field(default_factory=dict)


class _Ctx:
    """Per-source line context with lazily masked lines and per-line facts."""

    def __init__(self, src: _Src, memo: _Memo | None = None) -> None:
        self.src = src
        self.lines = split_lines(src.text)
        # per-line facts depend on the line's text only: shared by the parts of a mail
        # (the text and HTML bodies mostly say the same lines)
        memo = memo or _Memo()
        self._masked = memo.masked
        self._line = memo.line
        self._near = memo.near
        self._blank: dict[int, bool] = {}
        self._emphasis: _Emphasis | None = None

    def masked(self, idx: int) -> str:
        line = self.lines[idx][1]
        m = self._masked.get(line)
        if m is None:
            m = self._masked[line] = _mask(line)
        return m

    def line(self, idx: int) -> _Line:
        key = self.lines[idx][1]
        info = self._line.get(key)
        if info is None:
            info = self._line[key] = _Line(self.masked(idx))
        return info

    def near(self, j: int) -> _Near:
        line = self.lines[j][1]
        info = self._near.get(line)
        if info is None:
            info = _Near(self.masked(j).lower() if _MAYBE.search(line) else line.lower())
            self._near[line] = info
        return info

    def neighbour(self, idx: int, step: int, count: int) -> list[_Near]:
        out: list[_Near] = []
        j = idx + step
        while 0 <= j < len(self.lines) and len(out) < count and abs(j - idx) <= 6:
            blank = self._blank.get(j)
            if blank is None:
                blank = self._blank[j] = not self.lines[j][1].strip(" \t")
            if not blank:
                out.append(self.near(j))
            j += step
        return out

    def emphasis(self) -> _Emphasis:
        if self._emphasis is None:
            self._emphasis = _Emphasis(self.src.text, self.src.emph)
        return self._emphasis


# "code" that names something else than a code to type: "error code", "zip code",
# "promo code", "code review", "source code", "code postal", "codice sconto" …
_NOT_CODE_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:error|status|response|exit|return|source|zip|postal|post|area|country"
    r"|dial(?:l?ing)?|calling|product|item|article|qr|bar|sort|bank|swift|bic|tax|promo"
    r"|promotional|discount|coupon|voucher|gift|referral|reward|fehler|status|postleit"
    r"|gutschein|rabatt|hata|i\u0307?ndirim|kupon|promosyon|felkod|kortings|fout"
    r"|tracking|track|shipment|shipping|parcel|package|delivery|order|booking|reservation"
    r"|reference|sendungs?|paket|takip|kargo|trek|трек|посылки|zásilky|przesyłki)[\s-]?$"
    r"|(?:追跡|配送|伝票|運送|快递|快遞|物流|跟踪|追踪|追蹤|운송장|배송|추적|ट्रैकिंग|ऑर्डर)[\s-]?$"
)
_NOT_CODE_AFTER = re.compile(
    r"[\s-]?(?:sample|review|snippet|base|changes?|repository|repo|of conduct|quality|editor"
    r"|block|examples?|owners|coverage|freeze|style|postal|promo|d'erreur|de error|de erro"
    r"|errore|sconto|de descuento|de desconto|de réduction|promocional|rabatowy|rabatowego"
    r"|błędu|ошибки|скидки|de suivi|du colis|de seguimiento|de rastreo|del envío|del pedido"
    r"|di tracciamento|di spedizione|della spedizione|de rastreio|de rastreamento|do pedido"
    r"|van de zending|śledzenia|przesyłki|zásilky|отслеживания|посылки|відстеження|посилки"
    r"|de urmărire|theo dõi|vận đơn|pelacakan|التتبع|تتبع|الشحنة|الشحن|البريدي|الخصم"
    r"|מעקב|משלוח|המשלוח|ติดตาม\w*)(?![^\W\d_])"
)


def _meant(m: re.Match[str], text: str) -> bool:
    """Whether a keyword match means a code to type (not "error code", "code review")."""
    if _NOT_CODE_BEFORE.search(text, max(0, m.start() - 24), m.start()):
        return False
    return _NOT_CODE_AFTER.match(text, m.end(), m.end() + 24) is None


def _first_kw(pat: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first keyword match of ``text`` that means a code to type."""
    for m in pat.finditer(text):
        if _meant(m, text):
            return m
    return None


def _last_kw(pat: re.Pattern[str], text: str) -> tuple[int, str] | None:
    """Distance from the end of ``text`` to the end of the last keyword match."""
    last = None
    for m in pat.finditer(text):
        if _meant(m, text):
            last = m
    if last is None:
        return None
    return len(text) - last.end(), last.group(0)


_CODEISH = (
    "code",
    "cód",
    "codi",
    "код",
    "kod",
    "pin",
    "kód",
    "kode",
    "koodi",
    "cod",
    "رمز",
    "كود",
    "קוד",
    "कोड",
    "รหัส",
    "mã",
)


_IMPERATIVE = re.compile(
    r"(?<![^\W\d_])(?:enter|use|type|input|paste|provide|submit|nutze|verwende|utilisez"
    r"|saisissez|entrez|usa|introduce|ingresa|insira|digite|inserisci|voer|gib)"
    r"(?: (?:the |this |your |el |le |la |o |il |den |de |ce )?(?:code|código|codice)?)?"
    r"[:\s]*$"
)


_IS_YOUR_CODE = re.compile(
    r"^\s*(?:is|est|ist|es|é|è|er|är|on|jest|je|adalah|là)\s+(?:[^\s.:;]+\s+){0,4}?"
    r"((?:verification |login |security |confirmation |sign-in |one-time )?(?:code|pin|otp"
    r"|passcode|token|código|codice|kod|kode|koodi|kód|cod|код)s?)(?![^\W\d_])"
)


def _keyword_score(
    before: str, after: str, prev: list[_Near], nxt: list[_Near]
) -> tuple[float, str]:
    best = 0.0
    why = ""

    def take(score: float, word: str) -> None:
        nonlocal best, why
        if score > best:
            best, why = score, word

    hit = _last_kw(_STRONG, before)
    if hit:
        d, w = hit
        take(3.3 if d <= 25 else 2.7 if d <= 60 else 1.8, w)
    # each rule below is looked at only when its highest score could still win (take()
    # keeps the first best, so skipping a rule that cannot beat it changes nothing)
    if best < 2.4:
        hit = _last_kw(_WEAK, before)
        if hit:
            d, w = hit
            take(
                2.4 if d <= 12 and w.startswith(_CODEISH) else 1.6 if d <= 25 else 1.0,
                w,
            )
    if best < 2.8:
        m = _first_kw(_STRONG, after[:60])
        if m:
            take(2.8 if m.start() <= 20 else 2.0, m.group(0))
    if best < 1.2:
        m = _first_kw(_WEAK, after[:30])
        if m:
            take(1.2, m.group(0))
    for k, near in enumerate(prev):
        if best < 2.9 - 0.9 * k and near.strong_last:
            take(2.9 - 0.9 * k, near.strong_last[1])
        if best < 1.5 - 0.6 * k and near.weak_last:
            take(1.5 - 0.6 * k, near.weak_last[1])
    for near in nxt[:1]:
        if best < 1.4 and near.strong_first is not None:
            take(1.4, near.strong_first)
    # "123456 is your Instagram code"
    if best < 3.0:
        m = _IS_YOUR_CODE.match(after)
        if m:
            take(3.0, m.group(1))
    # "Use 829 114 to sign in", "Enter 29D4K7 to log in": imperative + action around it
    if best < 2.8 and _IMPERATIVE.search(before[-24:]) and _WEAK.search(after[:32]):
        take(2.8, "enter … to")
    # a label line ("Here is the Steam Guard code you need:") right above the value
    if best < 2.6 and prev and not before.strip(_STRIP + "\x00") and prev[0].label:
        label = prev[0].tail80
        m = _first_kw(_STRONG, label)
        if m is None:
            m = next(
                (
                    w
                    for w in _WEAK.finditer(label)
                    if w.group(0).startswith(_CODEISH) and _meant(w, label)
                ),
                None,
            )
        if m:
            take(2.6, m.group(0))
    return best, why


def _negative(before: str, after: str, prev: list[_Near], first_on_line: bool) -> float:
    pen = 0.0
    window = before[-32:]
    if first_on_line and prev:
        window = prev[0].tail32 + " " + window
    for m in _NEG.finditer(window):
        between = window[m.end() :]
        if m.group(0) in _NEG_ABBR:
            labels = _LABEL_GAP.fullmatch(between) is not None
        else:
            labels = not re.search(r"[0-9\x00]", between)
        if labels:
            pen -= 4.5
            break
    for nm in _NEG.finditer(after[:18]):
        if re.search(r"[0-9\x00]", after[: nm.start()]):
            break
        if nm.group(0) not in _NEG_ABBR:
            pen -= 2.5
            break
    return pen


# mails that are about something else than signing in (their numbers are rarely codes)
_TXN_SUBJECT = re.compile(
    r"(?<![^\W\d_])(?:receipt|invoice|order|shipped|shipping|shipment|delivery|delivered"
    r"|statement|booking|reservation|itinerary|payment|refund|invitation|meeting|webinar"
    r"|rechnung|bestellung|quittung|lieferung|commande|facture|reçu|livraison|pedido"
    r"|factura|recibo|entrega|fattura|ordine|ricevuta|zamówieni\w*|faktura|sipariş\w*"
    r"|bestelling|factuur|zending|pakket|colis|envío|spedizione|encomenda|przesyłk\w*"
    r"|objednávk\w*|zásilk\w*|beställning\w*|bestilling\w*|tilaus\w*|rendelés\w*"
    r"|comand\w*|заказ\w*|посылк\w*|доставк\w*|замовлен\w*|посилк\w*|đơn hàng|pesanan"
    r"|paket\w*|kargo\w*)"
    r"(?![^\W\d_])|注文|領収書|订单|訂單|收据|发票|주문|영수증|発送|出荷|配送|发货|發貨|배송"
    r"|طلبك|طلبيتك|الطلب|شحنة|الشحنة|فاتورة|إيصال|حجزك|הזמנה|הזמנתך|משלוח|חשבונית|ऑर्डर"
    r"|คำสั่งซื้อ|พัสดุ"
)
# "… is confirmed", "has shipped": the subject reports a finished transaction, so a
# "confirmation code" in the body is a booking reference, not something to type
_DONE = re.compile(
    r"(?<![^\W\d_])(?:confirmed|shipped|delivered|received|placed|processed|completed"
    r"|bestätigt|versandt|verschickt|zugestellt|eingegangen|confirmée?s?|expédiée?s?"
    r"|livrée?s?|confirmad[ao]s?|enviad[ao]s?|entregad[ao]s?|confermat[ao]|spedit[ao]"
    r"|consegnat[ao]|potwierdzon\w*|wysłan\w*|onaylandı|bevestigd|verzonden"
    r"|подтвержд[её]н\w*|отправлен\w*|доставлен\w*|wysłan\w*|odeslán\w*|skickad\w*"
    r"|levererad\w*|sendt|afsendt|levert|leveret|lähetetty|toimitettu|elküldt\w*"
    r"|expediat\w*|livrat\w*|kargolandı|gönderildi|teslim edildi|відправлен\w*"
    r"|доставлен\w*|đã giao|đã gửi|đã xác nhận|dikirim|dikonfirmasi|diterima)(?![^\W\d_])"
    r"|確定|完了|已确认|已確認|已发货|已發貨|확정|완료|発送しました|出荷しました|배송 ?시작"
    r"|تم شحن|تم تأكيد|تم توصيل|تم استلام|نُفّذ|נשלח|נשלחה|אושר|אושרה|נמסר|भेज दिया|शिप"
    r"|ยืนยันแล้ว|จัดส่งแล้ว"
)


def finished_transaction(subject: str) -> bool:
    """Subject of a receipt / booking / shipping notice that reports something done."""
    low = subject.lower()
    return _TXN_SUBJECT.search(low) is not None and _DONE.search(low) is not None


_MEETING = re.compile(
    r"meeting id|zoom meeting|join zoom|webinar id|dial-in|join by phone|meeting password"
    r"|besprechungs-id|id de réunion|id de reunión|id riunione|ミーティングid|会议号|회의 id"
)


def meeting_text(text: str) -> bool:
    """Calendar / video-meeting invitation wording (meeting IDs, dial-in numbers)."""
    return _MEETING.search(text.lower()) is not None


# characters after a candidate that the rules read ("… is your Instagram code", the
# clause up to the end of the sentence: 61); the whole rest of the line is never copied
_AFTER = 256
_PREFIX = re.compile(r"(?<![0-9A-Za-z])[A-Z]{1,3}$")
_CLAUSE_END = re.compile(r"[.!?;](?:\s|$)")


def _score_sources(
    sources: list[_Src], subject_strong: float, work: Work | None = None
) -> list[_Occ]:
    occs: list[_Occ] = []
    lows = {src.name: src.text.lower() for src in sources}
    doc_kw = any(_WEAK.search(low) or _STRONG.search(low) for low in lows.values())
    subject_low = lows.get("subject", "")
    promo_subject = _PROMO.search(subject_low) is not None
    doc_pen = 0.0
    if subject_strong < 0.7 and _TXN_SUBJECT.search(subject_low):
        doc_pen -= 1.5
        if any(src.name == "subject" and finished_transaction(src.text) for src in sources):
            doc_pen -= 3.0
    if any(_MEETING.search(low) for low in lows.values()):
        doc_pen -= 2.0
    memo = _Memo()
    for src in sources:
        ctx = _Ctx(src, memo)
        scored = 0
        if work is not None:
            work.chars += len(src.text)
        for idx, (line_start, line) in enumerate(ctx.lines):
            if scored >= MAX_CANDIDATES:
                break
            if work is not None:
                work.lines += 1
            if not _MAYBE.search(line):
                continue
            info = ctx.line(idx)
            masked = info.masked
            low = info.low
            spans = _spans(masked)
            # (tokens are ASCII letters and digits: one with a digit is not all letters)
            numeric_tokens = sum(1 for s in spans if not "".join(s[2]).isalpha())
            for start, end, parts in spans:
                if scored >= MAX_CANDIDATES:
                    break
                value = "".join(parts)
                if len(parts) == 1 and (
                    len(value) < 4 or (value.isalpha() and not value.isupper())
                ):
                    continue  # a short token or a word: no shape (_shape returns None)
                shape = _shape(value, parts)
                if shape is None:
                    continue
                kind, score = shape
                raw = line[start:end]
                prev_ch = masked[start - 1] if start else ""
                next_ch = masked[end] if end < len(masked) else ""
                next2 = masked[end + 1] if end + 1 < len(masked) else ""
                if prev_ch and prev_ch in "+/\\._=&?@\x00$€£¥%":
                    continue
                if prev_ch == "-" and start >= 2 and masked[start - 2].isalnum():
                    # at most 3 letters and the character before them decide
                    pre = _PREFIX.search(masked[max(0, start - 5) : start - 1])
                    if not (pre and _is_digits(value)):
                        continue
                if next_ch in ("/", "%", "@", "_", "=", "\x00") and next_ch:
                    continue
                if next_ch in ".,:-" and next2.isalnum():
                    continue
                scored += 1
                reasons = [kind]
                before = low[max(0, start - 90) : start]
                after = low[end : end + _AFTER]
                if work is not None:
                    work.candidates += 1
                    work.window_chars += len(before) + len(after)
                prev = ctx.neighbour(idx, -1, 2)
                nxt = ctx.neighbour(idx, 1, 1)
                kw, word = _keyword_score(before, after, prev, nxt)
                if kind == "alphanumeric" and kw < 1.5:
                    continue
                if kind in ("long alphanumeric", "grouped letters") and kw < 2.0:
                    continue
                if kind == "letters" and kw < 2.5:
                    continue
                score += kw
                if word:
                    reasons.append(f"near '{word.strip()}'")
                stripped, compact = info.cell(start)
                isolated = compact == value.replace(" ", "")
                first_on_line = not before.strip(_STRIP + "\x00")
                ends_line = end >= info.content_end  # nothing but layout after it
                layout_w = 1.0 if kw > 0 else 0.4
                if isolated:
                    score += 1.6 * layout_w
                    reasons.append("alone on its line")
                elif len(stripped) <= 48 and ends_line:
                    score += 0.6 * layout_w
                    reasons.append("ends a short line")
                if kind == "letters" and not isolated:
                    continue
                if src.name == "subject" and kw >= 2.5 and (first_on_line or end >= info.text_end):
                    score += 1.0
                    reasons.append("leads/ends the subject")
                # emphasis (HTML)
                level, exact = 0, False
                if src.emph:
                    level, exact = ctx.emphasis().level(line_start + start, line_start + end)
                if level:
                    score += (0.6 * level + (1.0 if exact else 0.0)) * layout_w
                    reasons.append("emphasised" + (" element" if exact else ""))
                # penalties
                pen = _negative(before, after, prev, first_on_line)
                if _UNIT_AFTER.search(after):
                    pen -= 5.0
                if _CURRENCY_BEFORE.search(before):
                    pen -= 5.0
                clause = _CLAUSE_END.split(after, maxsplit=1)[0][:60]
                if _STALE_AFTER.search(clause) or _STALE_BEFORE.search(before[-48:]):
                    pen -= 4.0
                if prev_ch == "#" or before.rstrip().endswith("#"):
                    pen -= 3.0
                if _is_digits(value) and len(value) == 4 and 1900 <= int(value) <= 2099:
                    pen -= 2.5
                    if info.copyright:
                        pen -= 5.0
                if "©" in before or "copyright" in before:
                    pen -= 3.0
                if numeric_tokens >= 3:
                    pen -= 0.8
                if info.promo or promo_subject or (first_on_line and prev and prev[0].promo):
                    pen -= 3.0
                if _PROMO_CODE.match(value):
                    pen -= 1.5
                if _S10.fullmatch(value):
                    pen -= 4.0
                if pen:
                    reasons.append("penalised context")
                score += pen
                if src.name != "subject":
                    score += subject_strong
                if not doc_kw:
                    score -= 1.5
                if doc_pen:
                    score += doc_pen
                    reasons.append("receipt/meeting-like mail")
                quoted = line_start + start in src.quoted
                if quoted:
                    score += QUOTED_PENALTY
                    reasons.append("quoted/forwarded part")
                occs.append(
                    _Occ(
                        raw=raw,
                        value=value,
                        source=src.name,
                        score=score,
                        reasons=reasons,
                        quoted=quoted,
                    )
                )
    return occs


def _sources(content: MailContent) -> tuple[list[_Src], float]:
    sources: list[_Src] = []
    subject = normalize((content.subject or "")[:MAX_SUBJECT_CHARS])
    subject = subject[:MAX_SUBJECT_CHARS].replace("\n", " ")
    if subject.strip():
        # "Re: …" / "Fwd: …" names the older message
        whole = ((0, len(subject)),) if subject_is_reply(subject) else ()
        sources.append(_Src("subject", subject, [], Quoted(whole)))
    if content.text and content.text.strip():
        text = plain_text(content.text)
        sources.append(_Src("text", text, [], Quoted(quoted_ranges(text))))
    if content.html and content.html.strip():
        vis = parse_html(content.html)
        quoted = Quoted(vis.quoted, quoted_ranges(vis.text))
        sources.append(_Src("html", vis.text, vis.emph, quoted))
    low = _mask(subject).lower()
    subject_strong = 0.7 if _STRONG.search(low) else 0.3 if _WEAK.search(low) else 0.0
    return sources, subject_strong


# Platt-style fit (smoothed targets) on the dev corpus + tests/extract/cases.py gave
# slope 1.0, midpoint 1.5, temperature 0.6; the midpoint is moved up to stay conservative
# at the top (0.9 needs score ≥ 4.2: a strong keyword plus layout or emphasis).
SLOPE = 1.0
MIDPOINT = 2.0
TEMPERATURE = 0.6
MIN_SCORE = -1.0
# a code in a quoted / forwarded part: ranked below the newest text, never confident
QUOTED_PENALTY = -2.5
QUOTED_SCALE = 0.7
QUOTED_CAP = 0.6


def _signature(raw: str) -> str:
    """Shape of a code as written: digits → 9, letters → A, separators kept."""
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", raw.strip()))


def extract_otp(content: MailContent, work: Work | None = None) -> Extraction:
    """Find the one-time code in an email; value None when nothing credible is found.

    Reads at most the first ``MAX_*_CHARS`` of each part and scores at most
    ``MAX_CANDIDATES`` occurrences per part (see :mod:`._limits`); ``work``, when
    given, counts what was looked at.
    """
    sources, subject_strong = _sources(content)
    occs = _score_sources(sources, subject_strong, work)
    best: dict[str, _Occ] = {}
    seen: dict[str, set[str]] = {}
    for o in occs:
        seen.setdefault(o.value, set()).add(o.source)
        cur = best.get(o.value)
        if cur is None or o.score > cur.score:
            best[o.value] = o
    ranked: list[tuple[float, _Occ]] = []
    for value, o in best.items():
        srcs = seen[value]
        bonus = 0.0
        if "subject" in srcs and len(srcs) > 1:
            bonus += 0.8
        if "text" in srcs and "html" in srcs:
            bonus += 0.3
        if o.score + bonus >= MIN_SCORE:
            ranked.append((o.score + bonus, o))
    ranked = _rank_quoted_below(ranked)
    ranked.sort(key=lambda t: -t[0])
    ranked = ranked[:5]
    if not ranked:
        return Extraction(type="otp", value=None, confidence=0.0, candidates=[])
    confs = confidences(
        [s for s, _ in ranked], slope=SLOPE, midpoint=MIDPOINT, temperature=TEMPERATURE
    )
    cands = [
        Candidate(value=o.value, confidence=c, reason=", ".join(o.reasons) + f" (score {s:.1f})")
        for (s, o), c in zip(ranked, confs, strict=True)
    ]
    top = cands[0]
    # a list of look-alike codes (backup / recovery code sheets): no single one to type
    sig = _signature(ranked[0][1].raw)
    alike = {v for v, o in best.items() if len(v) >= 6 and _signature(o.raw) == sig}
    if len(alike) >= 4 and top.confidence >= 0.45:
        top = Candidate(value=top.value, confidence=0.45, reason=top.reason + ", one of a list")
        cands[0] = top
    # the answer comes from an older, quoted message (or the mail forwards one unmarked)
    forwarded = subject_is_forward(content.subject or "") and not any(
        src.quoted for src in sources if src.name != "subject"
    )
    if ranked[0][1].quoted or forwarded:
        conf = round(min(QUOTED_CAP, top.confidence * QUOTED_SCALE), 4)
        top = Candidate(value=top.value, confidence=conf, reason=top.reason + ", older message")
        cands[0] = top
    if top.confidence < 0.05:
        return Extraction(type="otp", value=None, confidence=0.0, candidates=cands)
    return Extraction(type="otp", value=top.value, confidence=top.confidence, candidates=cands)


def _rank_quoted_below(ranked: list[tuple[float, _Occ]]) -> list[tuple[float, _Occ]]:
    """Scores with quoted candidates kept below a plausible code of the newest text."""
    fresh = max((s for s, o in ranked if not o.quoted), default=None)
    if fresh is None or fresh < MIDPOINT:
        return ranked
    return [(min(s, fresh - 2.0) if o.quoted else s, o) for s, o in ranked]
