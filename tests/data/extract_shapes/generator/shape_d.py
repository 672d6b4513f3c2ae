"""Shape 4: promotional codes — promo-only newsletters (none) and promo + real verification."""

from __future__ import annotations

from lib import addr, alt, leaf, message, page, tok

BULK = [("Precedence", "bulk"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]


def promo_block(label: str, code: str) -> tuple[str, str, str]:
    return ("raw", f"{label} {code}",
            '<table role="presentation" align="center"><tr><td style="border:2px dashed #e4572e;'
            'padding:12px 24px;font-size:22px;font-weight:bold;letter-spacing:2px">'
            f'<span style="font-size:12px;display:block;font-weight:normal">{label}</span>'
            f"{code}</td></tr></table>")


def build(add):
    # D1 en none: newsletter "use code WELCOME15 at checkout"
    text, html_ = page("Kanso Home", "kanso-home.example", "en", [
        ("h", "Welcome to Kanso, Emma"),
        ("p", "Thanks for joining! Here's 15% off your first order of linen, ceramics and more."),
        promo_block("Use code at checkout:", "WELCOME15"),
        ("p", "Valid until 30 November 2026 on orders over $50. One use per customer."),
        ("button", "Shop new arrivals", "https://kanso-home.example/new?utm_campaign=welcome"),
        ("small", "Prefer fewer emails? Update your preferences any time."),
    ], address="Kanso Home, 1200 NW Naito Pkwy, Portland, OR 97209")
    raw = message(addr("Kanso Home", "hello@kanso-home.example"), "user@waypost.localhost",
                  "Your 15% welcome code is inside", "Tue, 03 Nov 2026 15:00:00 +0000",
                  alt(text, html_), "kanso-home.example",
                  BULK + [("List-Unsubscribe", "<https://kanso-home.example/u/EmK2>")])
    add(raw, "none", None, "en", "promo", "homeware shop welcome newsletter",
        "hard negative: promo code WELCOME15 only")

    # D2 de none: "Gutscheincode: HERBST25", html only base64
    _, html_ = page("Wollwerk", "wollwerk.example", "de", [
        ("h", "Herbst-Sale: 25 % auf alles"),
        ("p", "Nur dieses Wochenende: Mit Ihrem persönlichen Gutscheincode sparen Sie 25 % auf "
              "Pullover, Schals und Mützen."),
        promo_block("Ihr Gutscheincode:", "HERBST25"),
        ("p", "Gültig bis 08.11.2026, 23:59 Uhr. Nicht mit anderen Aktionen kombinierbar."),
        ("button", "Jetzt shoppen", "https://wollwerk.example/sale?code=HERBST25&utm_source=nl"),
    ], address="Wollwerk GmbH, Königstraße 20, 70173 Stuttgart")
    raw = message(addr("Wollwerk", "newsletter@wollwerk.example"), "user@waypost.localhost",
                  "Ihr Gutscheincode für 25 % Rabatt", "Fri, 06 Nov 2026 08:00:00 +0100",
                  leaf("html", html_, "utf-8", "base64"), "wollwerk.example", BULK)
    add(raw, "none", None, "de", "promo", "knitwear shop sale newsletter",
        "hard negative: Gutscheincode HERBST25 only; html only base64")

    # D3 fr none
    text, html_ = page("Épicerie Lumière", "epicerie-lumiere.example", "fr", [
        ("h", "Les soldes d'automne commencent !"),
        ("p", "Jusqu'à -30 % sur les thés, cafés et épices. Profitez-en avec votre code promo :"),
        promo_block("Code promo :", "SOLDES30"),
        ("p", "Offre valable du 03/11 au 15/11/2026 dès 40 € d'achat. Livraison offerte dès 60 €."),
        ("button", "J'en profite", "https://epicerie-lumiere.example/soldes?utm_medium=email"),
    ], address="Épicerie Lumière, 27 rue Montorgueil, 75001 Paris")
    raw = message(addr("Épicerie Lumière", "news@epicerie-lumiere.example"), "user@waypost.localhost",
                  "-30 % avec le code SOLDES30", "Tue, 03 Nov 2026 07:00:00 +0100",
                  alt(text, html_, "windows-1252", "quoted-printable", "quoted-printable"),
                  "epicerie-lumiere.example", BULK)
    add(raw, "none", None, "fr", "promo", "grocery newsletter",
        "hard negative: code promo SOLDES30 only")

    # D4 es none: text only
    text = (
        "¡Hola Lucía!\n\n"
        "Llega el verano a Playa Norte Surf. Usa el código VERANO20 y llévate un 20 % de descuento\n"
        "en neoprenos y tablas hasta el 15/11/2026.\n\n"
        "Código: VERANO20\n\n"
        "Tu número de socia: PN-004821 · Puntos acumulados: 1.250\n\n"
        "Ver ofertas: https://playanorte.example/ofertas?cupon=VERANO20\n\n"
        "Playa Norte Surf S.L. · Paseo Marítimo 8, 11380 Tarifa (Cádiz)\n"
        "Darse de baja: https://playanorte.example/baja?id=PN-004821\n"
    )
    raw = message(addr("Playa Norte Surf", "ofertas@playanorte.example"), "user@waypost.localhost",
                  "20 % de descuento con tu código", "Tue, 03 Nov 2026 10:00:00 +0100",
                  leaf("plain", text, "utf-8", "quoted-printable"), "playanorte.example", BULK)
    add(raw, "none", None, "es", "promo", "surf shop newsletter",
        "hard negative: discount code VERANO20 and member number, text only")

    # D5 ja none
    text, html_ = page("ミドリ茶房", "midori-sabo.example", "ja", [
        ("h", "秋の感謝セール開催中"),
        ("p", "いつもミドリ茶房をご利用いただきありがとうございます。"),
        ("p", "会員様限定で、全商品10%オフになるクーポンをお届けします。"),
        promo_block("クーポンコード：", "AKI2026"),
        ("p", "有効期限：2026年11月30日まで／お一人様1回限り"),
        ("button", "ショップを見る", "https://midori-sabo.example/sale/autumn"),
    ], address="株式会社ミドリ茶房 静岡県静岡市葵区呉服町2-1")
    raw = message(addr("ミドリ茶房", "news@midori-sabo.example"), "user@waypost.localhost",
                  "【会員限定】10%オフクーポンのお知らせ", "Tue, 03 Nov 2026 12:00:00 +0900",
                  alt(text, html_, "utf-8", "base64", "base64"), "midori-sabo.example", BULK)
    add(raw, "none", None, "ja", "promo", "tea shop member coupon",
        "hard negative: coupon code AKI2026 only")

    # D6 zh none
    text, html_ = page("鲜果铺", "xianguopu.example", "zh", [
        ("h", "双十一预热：满 199 减 20"),
        ("p", "亲爱的会员，双十一活动即将开始！下单时输入优惠码即可立减 20 元。"),
        promo_block("优惠码：", "SAVE20NOW"),
        ("p", "活动时间：2026年11月1日—11月11日。每个账户限用一次。"),
        ("button", "立即抢购", "https://xianguopu.example/activity/1111?from=email"),
    ], address="鲜果铺电子商务有限公司 · 上海市浦东新区世纪大道 100 号")
    raw = message(addr("鲜果铺", "promo@xianguopu.example", "gb18030"), "user@waypost.localhost",
                  "双十一优惠码已到账", "Mon, 02 Nov 2026 20:00:00 +0800",
                  alt(text, html_.replace('charset="utf-8"', 'charset="gb18030"'), "gb18030",
                      "base64", "base64"),
                  "xianguopu.example", BULK, charset="gb18030")
    add(raw, "none", None, "zh", "promo", "fruit shop sale newsletter",
        "hard negative: 优惠码 SAVE20NOW only; GB18030")

    # D7 ko none
    text, html_ = page("칸소", "kanso-kr.example", "ko", [
        ("h", "첫 구매 10% 할인 쿠폰"),
        ("p", "칸소 회원이 되신 것을 환영합니다. 첫 주문 시 아래 쿠폰 코드를 입력하세요."),
        promo_block("쿠폰 코드:", "KANSO10"),
        ("p", "사용 기한: 2026년 11월 30일까지 (3만 원 이상 구매 시)"),
        ("button", "쇼핑하러 가기", "https://kanso-kr.example/event/welcome"),
    ], address="(주)칸소 · 서울특별시 마포구 양화로 45")
    raw = message(addr("칸소", "event@kanso-kr.example"), "user@waypost.localhost",
                  "[칸소] 첫 구매 10% 할인 쿠폰", "Tue, 03 Nov 2026 18:00:00 +0900",
                  alt(text, html_), "kanso-kr.example", BULK)
    add(raw, "none", None, "ko", "promo", "lifestyle shop welcome coupon",
        "hard negative: 쿠폰 코드 KANSO10 only")

    # D8 it none
    text, html_ = page("Pastificio Nonna Rina", "nonnarina.example", "it", [
        ("h", "Benvenuto nella famiglia!"),
        ("p", "Grazie per esserti iscritto alla nostra newsletter. Per il tuo primo ordine hai "
              "il 10% di sconto con il codice sconto qui sotto."),
        promo_block("Codice sconto:", "BENVENUTO10"),
        ("p", "Valido fino al 31/12/2026 per ordini a partire da 30 €."),
        ("button", "Scopri le nostre paste", "https://nonnarina.example/shop"),
    ], address="Pastificio Nonna Rina S.r.l., Via Roma 18, 80045 Pompei (NA)")
    raw = message(addr("Pastificio Nonna Rina", "ciao@nonnarina.example"), "user@waypost.localhost",
                  "Il tuo codice sconto del 10%", "Tue, 03 Nov 2026 09:00:00 +0100",
                  alt(text, html_), "nonnarina.example", BULK)
    add(raw, "none", None, "it", "promo", "pasta shop welcome newsletter",
        "hard negative: codice sconto BENVENUTO10 only")

    # D9 pt mixed: verification code + promo code
    code = "734019"
    text, html_ = page("Moda Brisa", "modabrisa.example", "pt", [
        ("h", "Confirme seu e-mail"),
        ("p", "Olá Beatriz! Para ativar sua conta, digite o código de verificação abaixo:"),
        ("code", code),
        ("p", "O código expira em 15 minutos."),
        promo_block("Presente de boas-vindas: 15% off na primeira compra com o cupom", "PRIMEIRA15"),
        ("small", "Cupom válido até 30/11/2026. Não cumulativo."),
    ], address="Moda Brisa Comércio Ltda., Rua Oscar Freire 900, São Paulo - SP")
    raw = message(addr("Moda Brisa", "conta@modabrisa.example"), "user@waypost.localhost",
                  "Seu código de verificação Moda Brisa", "Tue, 03 Nov 2026 11:00:00 -0300",
                  alt(text, html_), "modabrisa.example")
    add(raw, "otp", code, "pt", "promo", "fashion shop signup",
        "verification code plus welcome coupon PRIMEIRA15: label the verification code")

    # D10 ru mixed: 4-digit code + promo code, windows-1251 text only
    code = "5829"
    text = (
        "Здравствуйте!\n\n"
        "Код подтверждения для входа в \"Вкус Экспресс\": " + code + "\n"
        "Никому не сообщайте этот код.\n\n"
        "А ещё дарим скидку 20% на первый заказ - введите промокод OSEN20 в корзине.\n"
        "Промокод действует до 30.11.2026, минимальная сумма заказа 1500 руб.\n\n"
        "Служба поддержки: 8 800 555-35-35\n"
        "Отписаться от рассылки: https://vkusexpress.example/unsubscribe?u=" + tok(16) + "\n"
    )
    raw = message(addr("Вкус Экспресс", "noreply@vkusexpress.example", "windows-1251"),
                  "user@waypost.localhost", "Код подтверждения", "Tue, 03 Nov 2026 13:00:00 +0300",
                  leaf("plain", text, "koi8-r", "8bit"), "vkusexpress.example", charset="koi8-r")
    add(raw, "otp", code, "ru", "promo", "grocery delivery sign-in",
        "4-digit code plus promo code OSEN20 and a phone number; text only KOI8-R 8bit")

    # D11 nl mixed
    code = "481136"
    text, html_ = page("Groenbox", "groenbox.example", "nl", [
        ("h", "Bevestig je e-mailadres"),
        ("p", "Welkom bij Groenbox, Lotte! Vul deze verificatiecode in om je account te activeren:"),
        ("code", code),
        ("p", "De code verloopt over 30 minuten."),
        ("p", "Cadeautje: met kortingscode WELKOM10 krijg je € 10 korting op je eerste box."),
        ("small", "Kortingscode geldig t/m 31-12-2026, alleen voor nieuwe klanten."),
    ], address="Groenbox B.V., Stationsplein 45, 3013 AK Rotterdam")
    raw = message(addr("Groenbox", "hallo@groenbox.example"), "user@waypost.localhost",
                  "Je verificatiecode", "Tue, 03 Nov 2026 14:00:00 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "quoted-printable"),
                  "groenbox.example")
    add(raw, "otp", code, "nl", "promo", "vegetable box signup",
        "verification code plus kortingscode WELKOM10: label the verification code")

    # D12 pl mixed: activation link + promo code
    link = f"https://sklep.herbaciarnia.example/konto/aktywuj?token={tok(32)}"
    text, html_ = page("Herbaciarnia", "herbaciarnia.example", "pl", [
        ("h", "Aktywuj konto"),
        ("p", "Dziękujemy za rejestrację! Kliknij przycisk, aby aktywować konto:"),
        ("button", "Aktywuj konto", link),
        ("p", "Link jest ważny przez 48 godzin."),
        promo_block("Na dobry początek: -15% z kodem", "START15"),
        ("button", "Zobacz nowości",
         "https://sklep.herbaciarnia.example/nowosci?kod=START15&utm_source=welcome"),
    ], address="Herbaciarnia Sp. z o.o., ul. Długa 44, 80-831 Gdańsk")
    raw = message(addr("Herbaciarnia", "sklep@herbaciarnia.example"), "user@waypost.localhost",
                  "Aktywuj konto w Herbaciarni", "Tue, 03 Nov 2026 15:30:00 +0100",
                  alt(text, html_, "windows-1250", "quoted-printable", "quoted-printable"),
                  "herbaciarnia.example", charset="windows-1250")
    add(raw, "magic_link", link, "pl", "promo", "tea shop account activation",
        "activation link plus promo code START15 and a shop link carrying it")

    # D13 tr mixed
    code = "260931"
    text, html_ = page("Pazarcık", "pazarcik.example", "tr", [
        ("h", "Doğrulama kodu"),
        ("p", "Pazarcık hesabına giriş yapmak için doğrulama kodun:"),
        ("code", code),
        ("p", "Kod 3 dakika geçerlidir. Kimseyle paylaşma."),
        promo_block("Kasım fırsatı! İndirim kodu:", "KASIM25"),
        ("small", "İndirim kodu 30.11.2026'ya kadar 500 TL ve üzeri alışverişlerde geçerlidir."),
    ], address="Pazarcık Elektronik Ticaret A.Ş., İzmir")
    raw = message(addr("Pazarcık", "bilgi@pazarcik.example", "iso-8859-9"), "user@waypost.localhost",
                  "Pazarcık doğrulama kodun", "Tue, 03 Nov 2026 16:00:00 +0300",
                  alt(text, html_.replace('charset="utf-8"', 'charset="iso-8859-9"').replace(
                      "©", "&copy;"), "iso-8859-9"),
                  "pazarcik.example", charset="iso-8859-9")
    add(raw, "otp", code, "tr", "promo", "marketplace sign-in",
        "verification code plus indirim kodu KASIM25: label the verification code; latin-5")

    # D14 sv none: numeric 6-digit promo code
    text, html_ = page("Skogsbutiken", "skogsbutiken.example", "sv", [
        ("h", "Black Week börjar nu"),
        ("p", "Hej Karin! Som medlem får du 20 % rabatt på allt friluftsliv hela veckan."),
        promo_block("Din rabattkod:", "482026"),
        ("p", "Ange koden i kassan. Gäller t.o.m. 30 november 2026, ej på redan nedsatta varor."),
        ("button", "Till kampanjen", "https://skogsbutiken.example/black-week"),
    ], address="Skogsbutiken AB, Storgatan 5, 903 26 Umeå")
    raw = message(addr("Skogsbutiken", "nyhetsbrev@skogsbutiken.example"), "user@waypost.localhost",
                  "Din rabattkod för Black Week", "Mon, 23 Nov 2026 07:00:00 +0100",
                  alt(text, html_), "skogsbutiken.example", BULK)
    add(raw, "none", None, "sv", "promo", "outdoor shop sale newsletter",
        "hard negative: a six-digit numeric rabattkod; no verification")

    # D15 ar mixed
    code = "739204"
    text, html_ = page("نون ماركت", "noon-market.example", "ar", [
        ("h", "رمز التحقق"),
        ("p", "استخدم الرمز التالي لتأكيد رقم هاتفك وبريدك الإلكتروني:"),
        ("code", code),
        ("p", "ينتهي الرمز خلال 10 دقائق."),
        promo_block("عرض خاص: خصم 20٪ على طلبك الأول باستخدام كود الخصم", "RAMADAN20"),
    ], address="نون ماركت، الدوحة، قطر")
    html_ = html_.replace('<html lang="ar">', '<html lang="ar" dir="rtl">')
    raw = message(addr("نون ماركت", "otp@noon-market.example"), "user@waypost.localhost",
                  "رمز التحقق الخاص بك", "Tue, 03 Nov 2026 19:00:00 +0300",
                  alt(text, html_, "utf-8", "base64", "base64"), "noon-market.example")
    add(raw, "otp", code, "ar", "promo", "grocery marketplace verification",
        "verification code plus discount code RAMADAN20")

    # D16 en mixed: alnum verification code + SAVE20NOW
    code = "Ab3kP9Qx2Z"
    text, html_ = page("Threadline", "threadline.example", "en", [
        ("h", "Verify your email"),
        ("p", "Enter this verification code to finish creating your Threadline account:"),
        ("code", code),
        ("p", "It's case-sensitive and expires in 20 minutes."),
        ("p", "P.S. Save 20% on your first custom print — use code SAVE20NOW at checkout."),
    ], address="Threadline Co., 77 Sands St, Brooklyn, NY 11201")
    raw = message(addr("Threadline", "verify@threadline.example"), "user@waypost.localhost",
                  "Your Threadline verification code", "Tue, 03 Nov 2026 20:00:00 +0000",
                  alt(text, html_), "threadline.example")
    add(raw, "otp", code, "en", "promo", "print-on-demand signup",
        "10-char mixed-case verification code plus promo code SAVE20NOW")

    # D17 en none: referral programme code
    text, html_ = page("Ridely", "ridely.example", "en", [
        ("h", "Give $10, get $10"),
        ("p", "Invite friends to Ridely. They get $10 off their first ride, and you get $10 "
              "credit when they ride."),
        promo_block("Your referral code:", "JANE-7K2Q"),
        ("button", "Share your code", "https://ridely.example/r/JANE-7K2Q"),
        ("small", "Terms apply. Credits expire 90 days after they are issued."),
    ], address="Ridely Inc., 500 Howard St, San Francisco, CA 94105")
    raw = message(addr("Ridely", "rewards@ridely.example"), "user@waypost.localhost",
                  "Your referral code is ready", "Tue, 03 Nov 2026 21:00:00 +0000",
                  alt(text, html_), "ridely.example", BULK)
    add(raw, "none", None, "en", "promo", "ride-hailing referral programme",
        "hard negative: dashed referral code JANE-7K2Q")

    # D18 de mixed: code + Gutscheincode
    code = "915372"
    text, html_ = page("Brotzeit", "brotzeit.example", "de", [
        ("h", "Ihr Bestätigungscode"),
        ("p", "Willkommen bei Brotzeit! Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Code:"),
        ("code", code),
        ("p", "Der Code ist 10 Minuten gültig."),
        promo_block("Als Dankeschön: 10 € Rabatt mit dem Gutscheincode", "NEUKUNDE10"),
        ("small", "Mindestbestellwert 40 €. Gültig bis 31.12.2026."),
    ], address="Brotzeit GmbH, Viktualienmarkt 3, 80331 München")
    raw = message(addr("Brotzeit", "service@brotzeit.example"), "user@waypost.localhost",
                  "Bitte bestätigen Sie Ihre E-Mail-Adresse", "Tue, 03 Nov 2026 22:00:00 +0100",
                  alt(text, html_, "windows-1252", "8bit", "quoted-printable"), "brotzeit.example")
    add(raw, "otp", code, "de", "promo", "bakery delivery signup",
        "verification code plus Gutscheincode NEUKUNDE10: label the verification code")
