var __defProp = Object.defineProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// src/entry/node.ts
import { serve as serve2 } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";

// src/app.ts
import { Hono as Hono7 } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { timing } from "hono/timing";

// views/layout.tsx
import { raw } from "hono/html";
import { Fragment, jsx, jsxs } from "hono/jsx/jsx-runtime";
var HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[2345]..", swap: true, error: false }
  ]
});
function Page({ title, lang = "ja", framed = false, htmx = true, scripts = [], children }) {
  return /* @__PURE__ */ jsxs(Fragment, { children: [
    raw("<!DOCTYPE html>"),
    /* @__PURE__ */ jsxs("html", { lang, children: [
      /* @__PURE__ */ jsxs("head", { children: [
        /* @__PURE__ */ jsx("meta", { charset: "utf-8" }),
        /* @__PURE__ */ jsx("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
        /* @__PURE__ */ jsx("meta", { name: "color-scheme", content: "light" }),
        /* @__PURE__ */ jsx("meta", { name: "htmx-config", content: HTMX_CONFIG }),
        /* @__PURE__ */ jsx("title", { children: title }),
        /* @__PURE__ */ jsx("link", { rel: "stylesheet", href: "/static/css/app.css" }),
        /* @__PURE__ */ jsx("link", { rel: "icon", href: "/static/img/favicon.svg", type: "image/svg+xml" }),
        htmx && /* @__PURE__ */ jsx("script", { src: "/static/vendor/htmx.min.js", defer: true }),
        scripts.map((src) => /* @__PURE__ */ jsx("script", { src, defer: true }))
      ] }),
      /* @__PURE__ */ jsx("body", { class: framed ? "framed" : "site", children })
    ] })
  ] });
}
function Bilingual({ ja, en }) {
  return /* @__PURE__ */ jsxs(Fragment, { children: [
    /* @__PURE__ */ jsx("span", { lang: "ja", children: ja }),
    /* @__PURE__ */ jsx("span", { class: "en", lang: "en", children: en })
  ] });
}

// views/errors/pages.tsx
import { jsx as jsx2, jsxs as jsxs2 } from "hono/jsx/jsx-runtime";
function NotFoundPage() {
  return /* @__PURE__ */ jsx2(Page, { title: "\u30DA\u30FC\u30B8\u304C\u898B\u3064\u304B\u308A\u307E\u305B\u3093 / Page not found", htmx: false, children: /* @__PURE__ */ jsxs2("main", { class: "container", children: [
    /* @__PURE__ */ jsx2("h1", { children: /* @__PURE__ */ jsx2(Bilingual, { ja: "\u30DA\u30FC\u30B8\u304C\u898B\u3064\u304B\u308A\u307E\u305B\u3093", en: "Page not found" }) }),
    /* @__PURE__ */ jsx2("p", { children: /* @__PURE__ */ jsx2(Bilingual, { ja: "\u30A2\u30C9\u30EC\u30B9\u3092\u3054\u78BA\u8A8D\u304F\u3060\u3055\u3044\u3002", en: "Please check the address." }) }),
    /* @__PURE__ */ jsx2("p", { children: /* @__PURE__ */ jsx2("a", { href: "/", children: /* @__PURE__ */ jsx2(Bilingual, { ja: "\u30C8\u30C3\u30D7\u3078\u623B\u308B", en: "Back to the start page" }) }) })
  ] }) });
}
function ErrorPage({ requestId: requestId2 }) {
  return /* @__PURE__ */ jsx2(Page, { title: "\u30A8\u30E9\u30FC / Error", htmx: false, children: /* @__PURE__ */ jsxs2("main", { class: "container", children: [
    /* @__PURE__ */ jsx2("h1", { children: /* @__PURE__ */ jsx2(Bilingual, { ja: "\u305F\u3060\u3044\u307E\u51E6\u7406\u3067\u304D\u307E\u305B\u3093", en: "Something went wrong" }) }),
    /* @__PURE__ */ jsx2("p", { children: /* @__PURE__ */ jsx2(
      Bilingual,
      {
        ja: "\u3057\u3070\u3089\u304F\u3057\u3066\u304B\u3089\u3001\u3082\u3046\u4E00\u5EA6\u304A\u8A66\u3057\u304F\u3060\u3055\u3044\u3002",
        en: "Please try again in a moment."
      }
    ) }),
    requestId2 && /* @__PURE__ */ jsx2("p", { class: "muted", children: /* @__PURE__ */ jsxs2("small", { children: [
      "ID: ",
      requestId2
    ] }) })
  ] }) });
}
function TooLargePage() {
  return /* @__PURE__ */ jsx2(Page, { title: "\u9001\u4FE1\u5185\u5BB9\u304C\u5927\u304D\u3059\u304E\u307E\u3059 / Request too large", htmx: false, children: /* @__PURE__ */ jsx2("main", { class: "container", children: /* @__PURE__ */ jsx2("h1", { children: /* @__PURE__ */ jsx2(Bilingual, { ja: "\u9001\u4FE1\u5185\u5BB9\u304C\u5927\u304D\u3059\u304E\u307E\u3059", en: "Request too large" }) }) }) });
}

// views/landing.tsx
import { jsx as jsx3, jsxs as jsxs3 } from "hono/jsx/jsx-runtime";
function LandingPage({ issuerName, issuerNameEn, sandbox }) {
  return /* @__PURE__ */ jsxs3(Page, { title: `Mamori 3-D Secure \u2014 ${issuerName}`, children: [
    /* @__PURE__ */ jsxs3("header", { class: "masthead", children: [
      /* @__PURE__ */ jsx3("img", { src: "/static/img/mamori.svg", alt: "", width: "40", height: "40" }),
      /* @__PURE__ */ jsxs3("div", { children: [
        /* @__PURE__ */ jsx3("p", { class: "brand", children: "Mamori \u5B88\u308A" }),
        /* @__PURE__ */ jsxs3("p", { class: "muted", children: [
          issuerName,
          " / ",
          issuerNameEn
        ] })
      ] })
    ] }),
    /* @__PURE__ */ jsxs3("main", { class: "container", children: [
      /* @__PURE__ */ jsx3("h1", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u672C\u4EBA\u8A8D\u8A3C\u30B5\u30FC\u30D3\u30B9\uFF083-D\u30BB\u30AD\u30E5\u30A2\uFF09", en: "Online card authentication (EMV 3-D Secure)" }) }),
      /* @__PURE__ */ jsx3("p", { children: /* @__PURE__ */ jsx3(
        Bilingual,
        {
          ja: "\u3053\u306E\u30B5\u30FC\u30D0\u30FC\u306F\u3001\u30AB\u30FC\u30C9\u4F1A\u793E\u306E\u672C\u4EBA\u8A8D\u8A3C\u30B5\u30FC\u30D3\u30B9\u3092\u63D0\u4F9B\u3059\u308B\u30A2\u30D7\u30E9\u30A4\u30A2\u30F3\u30B9\u3067\u3059\u3002\u30CD\u30C3\u30C8\u30B7\u30E7\u30C3\u30D4\u30F3\u30B0\u3067\u30AB\u30FC\u30C9\u304C\u4F7F\u308F\u308C\u305F\u3068\u304D\u3001\u30AB\u30FC\u30C9\u306E\u6301\u3061\u4E3B\u3054\u672C\u4EBA\u3067\u3042\u308B\u3053\u3068\u3092\u78BA\u8A8D\u3057\u307E\u3059\u3002",
          en: "This server is the card issuer's 3-D Secure access control server: when the card is used online, it confirms that the purchase is made by the cardholder."
        }
      ) }),
      /* @__PURE__ */ jsxs3("nav", { "aria-label": "main", class: "cards-nav", children: [
        /* @__PURE__ */ jsxs3("a", { class: "nav-card", href: "/portal", children: [
          /* @__PURE__ */ jsx3("strong", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u4F1A\u54E1\u30DA\u30FC\u30B8", en: "Member portal" }) }),
          /* @__PURE__ */ jsx3("small", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u767B\u9332\u30FB\u96FB\u8A71\u756A\u53F7\u30FB\u30D1\u30B9\u30EF\u30FC\u30C9\u306E\u5909\u66F4", en: "Register, phone number, password" }) })
        ] }),
        /* @__PURE__ */ jsxs3("a", { class: "nav-card", href: "/admin", children: [
          /* @__PURE__ */ jsx3("strong", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u7BA1\u7406\u753B\u9762", en: "Admin area" }) }),
          /* @__PURE__ */ jsx3("small", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u30AB\u30FC\u30C9\u4F1A\u793E\u306E\u62C5\u5F53\u8005\u5411\u3051", en: "For the issuer's staff" }) })
        ] }),
        sandbox && /* @__PURE__ */ jsxs3("a", { class: "nav-card", href: "/sandbox", children: [
          /* @__PURE__ */ jsx3("strong", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u30B5\u30F3\u30C9\u30DC\u30C3\u30AF\u30B9", en: "Sandbox" }) }),
          /* @__PURE__ */ jsx3("small", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u30C6\u30B9\u30C8\u7528\u306E\u52A0\u76DF\u5E97\u3067\u8A8D\u8A3C\u3092\u8A66\u3059", en: "Try an authentication with a test merchant" }) })
        ] })
      ] }),
      sandbox && /* @__PURE__ */ jsxs3("section", { class: "notice", "aria-labelledby": "demo-heading", children: [
        /* @__PURE__ */ jsx3("h2", { id: "demo-heading", children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u30C7\u30E2\u306B\u3064\u3044\u3066", en: "About the demo" }) }),
        /* @__PURE__ */ jsxs3("ol", { children: [
          /* @__PURE__ */ jsx3("li", { children: /* @__PURE__ */ jsx3(
            Bilingual,
            {
              ja: "\u30C7\u30E2\u7528\u306E\u30AB\u30FC\u30C9\u4F1A\u793E\u3068\u30C6\u30B9\u30C8\u30AB\u30FC\u30C9\u304C\u767B\u9332\u6E08\u307F\u3067\u3059\uFF08/sandbox/cards\uFF09\u3002",
              en: "A demo issuer with test cards is loaded (/sandbox/cards)."
            }
          ) }),
          /* @__PURE__ */ jsx3("li", { children: /* @__PURE__ */ jsx3(
            Bilingual,
            {
              ja: "\u30B5\u30F3\u30C9\u30DC\u30C3\u30AF\u30B9\u3067\u30AB\u30FC\u30C9\u3092\u9078\u3093\u3067\u8CFC\u5165\u3059\u308B\u3068\u3001\u8A8D\u8A3C\u753B\u9762\u304C\u8868\u793A\u3055\u308C\u307E\u3059\u3002",
              en: "Pick a card in the sandbox and buy: the challenge page appears in the merchant's frame."
            }
          ) }),
          /* @__PURE__ */ jsx3("li", { children: /* @__PURE__ */ jsx3(
            Bilingual,
            {
              ja: "\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\u306ESMS\u306F\u9001\u4FE1\u3055\u308C\u305A\u3001SMS\u9001\u4FE1\u7BB1\uFF08/sandbox/sms\uFF09\u306B\u5C4A\u304D\u307E\u3059\u3002",
              en: "No SMS leaves the machine: one-time passwords land in the SMS outbox (/sandbox/sms)."
            }
          ) })
        ] })
      ] })
    ] }),
    /* @__PURE__ */ jsx3("footer", { class: "container muted", children: /* @__PURE__ */ jsx3("small", { children: "Mamori \u2014 EMV 3-D Secure 2.2.0 / 2.3.1" }) })
  ] });
}
function ComingPage({ titleJa, titleEn }) {
  return /* @__PURE__ */ jsx3(Page, { title: `${titleJa} / ${titleEn}`, children: /* @__PURE__ */ jsxs3("main", { class: "container", children: [
    /* @__PURE__ */ jsx3("h1", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: titleJa, en: titleEn }) }),
    /* @__PURE__ */ jsx3("p", { children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u3053\u306E\u6A5F\u80FD\u306F\u6E96\u5099\u4E2D\u3067\u3059\u3002", en: "This part of the appliance is coming in a later release." }) }),
    /* @__PURE__ */ jsx3("p", { children: /* @__PURE__ */ jsx3("a", { href: "/", children: /* @__PURE__ */ jsx3(Bilingual, { ja: "\u30C8\u30C3\u30D7\u3078\u623B\u308B", en: "Back to the start page" }) }) })
  ] }) });
}

// src/acs/routes.ts
import { Hono as Hono2 } from "hono";

// src/protocol/formats.ts
import { z } from "zod";

// src/protocol/iso.ts
var CURRENCIES = {
  "008": ["ALL", 2],
  "012": ["DZD", 2],
  "032": ["ARS", 2],
  "036": ["AUD", 2],
  "044": ["BSD", 2],
  "048": ["BHD", 3],
  "050": ["BDT", 2],
  "051": ["AMD", 2],
  "052": ["BBD", 2],
  "060": ["BMD", 2],
  "064": ["BTN", 2],
  "068": ["BOB", 2],
  "072": ["BWP", 2],
  "084": ["BZD", 2],
  "090": ["SBD", 2],
  "096": ["BND", 2],
  "104": ["MMK", 2],
  "108": ["BIF", 0],
  "116": ["KHR", 2],
  "124": ["CAD", 2],
  "132": ["CVE", 2],
  "136": ["KYD", 2],
  "144": ["LKR", 2],
  "152": ["CLP", 0],
  "156": ["CNY", 2],
  "170": ["COP", 2],
  "174": ["KMF", 0],
  "188": ["CRC", 2],
  "192": ["CUP", 2],
  "203": ["CZK", 2],
  "208": ["DKK", 2],
  "214": ["DOP", 2],
  "222": ["SVC", 2],
  "230": ["ETB", 2],
  "232": ["ERN", 2],
  "238": ["FKP", 2],
  "242": ["FJD", 2],
  "262": ["DJF", 0],
  "270": ["GMD", 2],
  "292": ["GIP", 2],
  "320": ["GTQ", 2],
  "324": ["GNF", 0],
  "328": ["GYD", 2],
  "332": ["HTG", 2],
  "340": ["HNL", 2],
  "344": ["HKD", 2],
  "348": ["HUF", 2],
  "352": ["ISK", 0],
  "356": ["INR", 2],
  "360": ["IDR", 2],
  "364": ["IRR", 2],
  "368": ["IQD", 3],
  "376": ["ILS", 2],
  "388": ["JMD", 2],
  "392": ["JPY", 0],
  "398": ["KZT", 2],
  "400": ["JOD", 3],
  "404": ["KES", 2],
  "408": ["KPW", 2],
  "410": ["KRW", 0],
  "414": ["KWD", 3],
  "417": ["KGS", 2],
  "418": ["LAK", 2],
  "422": ["LBP", 2],
  "426": ["LSL", 2],
  "430": ["LRD", 2],
  "434": ["LYD", 3],
  "446": ["MOP", 2],
  "454": ["MWK", 2],
  "458": ["MYR", 2],
  "462": ["MVR", 2],
  "480": ["MUR", 2],
  "484": ["MXN", 2],
  "496": ["MNT", 2],
  "498": ["MDL", 2],
  "504": ["MAD", 2],
  "512": ["OMR", 3],
  "516": ["NAD", 2],
  "524": ["NPR", 2],
  "532": ["ANG", 2],
  "533": ["AWG", 2],
  "548": ["VUV", 0],
  "554": ["NZD", 2],
  "558": ["NIO", 2],
  "566": ["NGN", 2],
  "578": ["NOK", 2],
  "586": ["PKR", 2],
  "590": ["PAB", 2],
  "598": ["PGK", 2],
  "600": ["PYG", 0],
  "604": ["PEN", 2],
  "608": ["PHP", 2],
  "634": ["QAR", 2],
  "643": ["RUB", 2],
  "646": ["RWF", 0],
  "654": ["SHP", 2],
  "682": ["SAR", 2],
  "690": ["SCR", 2],
  "694": ["SLL", 2],
  "702": ["SGD", 2],
  "704": ["VND", 0],
  "706": ["SOS", 2],
  "710": ["ZAR", 2],
  "728": ["SSP", 2],
  "748": ["SZL", 2],
  "752": ["SEK", 2],
  "756": ["CHF", 2],
  "760": ["SYP", 2],
  "764": ["THB", 2],
  "776": ["TOP", 2],
  "780": ["TTD", 2],
  "784": ["AED", 2],
  "788": ["TND", 3],
  "800": ["UGX", 0],
  "807": ["MKD", 2],
  "818": ["EGP", 2],
  "826": ["GBP", 2],
  "834": ["TZS", 2],
  "840": ["USD", 2],
  "858": ["UYU", 2],
  "860": ["UZS", 2],
  "882": ["WST", 2],
  "886": ["YER", 2],
  "901": ["TWD", 2],
  "924": ["ZWG", 2],
  "925": ["SLE", 2],
  "926": ["VED", 2],
  "927": ["UYW", 4],
  "928": ["VES", 2],
  "929": ["MRU", 2],
  "930": ["STN", 2],
  "931": ["CUC", 2],
  "932": ["ZWL", 2],
  "933": ["BYN", 2],
  "934": ["TMT", 2],
  "936": ["GHS", 2],
  "938": ["SDG", 2],
  "940": ["UYI", 0],
  "941": ["RSD", 2],
  "943": ["MZN", 2],
  "944": ["AZN", 2],
  "946": ["RON", 2],
  "947": ["CHE", 2],
  "948": ["CHW", 2],
  "949": ["TRY", 2],
  "950": ["XAF", 0],
  "951": ["XCD", 2],
  "952": ["XOF", 0],
  "953": ["XPF", 0],
  "967": ["ZMW", 2],
  "968": ["SRD", 2],
  "969": ["MGA", 2],
  "970": ["COU", 2],
  "971": ["AFN", 2],
  "972": ["TJS", 2],
  "973": ["AOA", 2],
  "975": ["BGN", 2],
  "976": ["CDF", 2],
  "977": ["BAM", 2],
  "978": ["EUR", 2],
  "979": ["MXV", 2],
  "980": ["UAH", 2],
  "981": ["GEL", 2],
  "984": ["BOV", 2],
  "985": ["PLN", 2],
  "986": ["BRL", 2],
  "990": ["CLF", 4],
  "997": ["USN", 2]
  // 532 is shared by ANG and its successor XCG (Caribbean guilder, 2025); both have exponent 2.
  // SLL, ZWL and CUC are superseded but still seen in traffic during their transition periods.
};
var COUNTRIES = {
  "004": "AF",
  "008": "AL",
  "010": "AQ",
  "012": "DZ",
  "016": "AS",
  "020": "AD",
  "024": "AO",
  "028": "AG",
  "031": "AZ",
  "032": "AR",
  "036": "AU",
  "040": "AT",
  "044": "BS",
  "048": "BH",
  "050": "BD",
  "051": "AM",
  "052": "BB",
  "056": "BE",
  "060": "BM",
  "064": "BT",
  "068": "BO",
  "070": "BA",
  "072": "BW",
  "074": "BV",
  "076": "BR",
  "084": "BZ",
  "086": "IO",
  "090": "SB",
  "092": "VG",
  "096": "BN",
  "100": "BG",
  "104": "MM",
  "108": "BI",
  "112": "BY",
  "116": "KH",
  "120": "CM",
  "124": "CA",
  "132": "CV",
  "136": "KY",
  "140": "CF",
  "144": "LK",
  "148": "TD",
  "152": "CL",
  "156": "CN",
  "158": "TW",
  "162": "CX",
  "166": "CC",
  "170": "CO",
  "174": "KM",
  "175": "YT",
  "178": "CG",
  "180": "CD",
  "184": "CK",
  "188": "CR",
  "191": "HR",
  "192": "CU",
  "196": "CY",
  "203": "CZ",
  "204": "BJ",
  "208": "DK",
  "212": "DM",
  "214": "DO",
  "218": "EC",
  "222": "SV",
  "226": "GQ",
  "231": "ET",
  "232": "ER",
  "233": "EE",
  "234": "FO",
  "238": "FK",
  "239": "GS",
  "242": "FJ",
  "246": "FI",
  "248": "AX",
  "250": "FR",
  "254": "GF",
  "258": "PF",
  "260": "TF",
  "262": "DJ",
  "266": "GA",
  "268": "GE",
  "270": "GM",
  "275": "PS",
  "276": "DE",
  "288": "GH",
  "292": "GI",
  "296": "KI",
  "300": "GR",
  "304": "GL",
  "308": "GD",
  "312": "GP",
  "316": "GU",
  "320": "GT",
  "324": "GN",
  "328": "GY",
  "332": "HT",
  "334": "HM",
  "336": "VA",
  "340": "HN",
  "344": "HK",
  "348": "HU",
  "352": "IS",
  "356": "IN",
  "360": "ID",
  "364": "IR",
  "368": "IQ",
  "372": "IE",
  "376": "IL",
  "380": "IT",
  "384": "CI",
  "388": "JM",
  "392": "JP",
  "398": "KZ",
  "400": "JO",
  "404": "KE",
  "408": "KP",
  "410": "KR",
  "414": "KW",
  "417": "KG",
  "418": "LA",
  "422": "LB",
  "426": "LS",
  "428": "LV",
  "430": "LR",
  "434": "LY",
  "438": "LI",
  "440": "LT",
  "442": "LU",
  "446": "MO",
  "450": "MG",
  "454": "MW",
  "458": "MY",
  "462": "MV",
  "466": "ML",
  "470": "MT",
  "474": "MQ",
  "478": "MR",
  "480": "MU",
  "484": "MX",
  "492": "MC",
  "496": "MN",
  "498": "MD",
  "499": "ME",
  "500": "MS",
  "504": "MA",
  "508": "MZ",
  "512": "OM",
  "516": "NA",
  "520": "NR",
  "524": "NP",
  "528": "NL",
  "531": "CW",
  "533": "AW",
  "534": "SX",
  "535": "BQ",
  "540": "NC",
  "548": "VU",
  "554": "NZ",
  "558": "NI",
  "562": "NE",
  "566": "NG",
  "570": "NU",
  "574": "NF",
  "578": "NO",
  "580": "MP",
  "581": "UM",
  "583": "FM",
  "584": "MH",
  "585": "PW",
  "586": "PK",
  "591": "PA",
  "598": "PG",
  "600": "PY",
  "604": "PE",
  "608": "PH",
  "612": "PN",
  "616": "PL",
  "620": "PT",
  "624": "GW",
  "626": "TL",
  "630": "PR",
  "634": "QA",
  "638": "RE",
  "642": "RO",
  "643": "RU",
  "646": "RW",
  "652": "BL",
  "654": "SH",
  "659": "KN",
  "660": "AI",
  "662": "LC",
  "663": "MF",
  "666": "PM",
  "670": "VC",
  "674": "SM",
  "678": "ST",
  "682": "SA",
  "686": "SN",
  "688": "RS",
  "690": "SC",
  "694": "SL",
  "702": "SG",
  "703": "SK",
  "704": "VN",
  "705": "SI",
  "706": "SO",
  "710": "ZA",
  "716": "ZW",
  "724": "ES",
  "728": "SS",
  "729": "SD",
  "732": "EH",
  "740": "SR",
  "744": "SJ",
  "748": "SZ",
  "752": "SE",
  "756": "CH",
  "760": "SY",
  "762": "TJ",
  "764": "TH",
  "768": "TG",
  "772": "TK",
  "776": "TO",
  "780": "TT",
  "784": "AE",
  "788": "TN",
  "792": "TR",
  "795": "TM",
  "796": "TC",
  "798": "TV",
  "800": "UG",
  "804": "UA",
  "807": "MK",
  "818": "EG",
  "826": "GB",
  "831": "GG",
  "832": "JE",
  "833": "IM",
  "834": "TZ",
  "840": "US",
  "850": "VI",
  "854": "BF",
  "858": "UY",
  "860": "UZ",
  "862": "VE",
  "876": "WF",
  "882": "WS",
  "887": "YE",
  "894": "ZM"
};
function isExcludedCurrency(code2) {
  const n = Number(code2);
  return n >= 955 && n <= 964 || n === 999;
}
function isExcludedCountry(code2) {
  return Number(code2) >= 901 && Number(code2) <= 999;
}
function currencyExponent(code2) {
  return isValidCurrency(code2) ? CURRENCIES[code2][1] : void 0;
}
function isValidCurrency(code2) {
  return Object.hasOwn(CURRENCIES, code2) && !isExcludedCurrency(code2);
}
function isValidCountry(code2) {
  return Object.hasOwn(COUNTRIES, code2) && !isExcludedCountry(code2);
}

// src/protocol/formats.ts
function isMissing(value) {
  if (value === void 0 || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}
function required(format) {
  return z.preprocess((v) => isMissing(v) ? void 0 : v, format);
}
function optional(format) {
  return z.preprocess((v) => isEmptyContainer(v) ? void 0 : v, format.optional());
}
function isEmptyContainer(v) {
  return typeof v === "object" && v !== null && isMissing(v);
}
var ISO_INVALID = { params: { errorCode: "304" } };
var text = (max, min = 1) => z.string().min(min).max(max);
var digits = (min, max) => z.string().regex(new RegExp(`^\\d{${min},${max}}$`));
var numericInRange = (minDigits, maxDigits, low, high) => digits(minDigits, maxDigits).refine((v) => Number(v) >= low && Number(v) <= high, "out of range");
function code(...codes) {
  const allowed = /* @__PURE__ */ new Set();
  for (const c of codes) {
    const range = /^(\d+)-(\d+)$/.exec(c);
    if (!range) {
      allowed.add(c);
      continue;
    }
    for (let n = Number(range[1]); n <= Number(range[2]); n++) allowed.add(String(n).padStart(range[1].length, "0"));
  }
  return z.string().refine((v) => allowed.has(v), "not a valid code");
}
var uuid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
function isUuid(value) {
  return uuid.safeParse(value).success;
}
var url = (max) => text(max).refine((v) => hasScheme(v, ["http:", "https:"]), "not an http(s) URL");
var httpsUrl = (max) => text(max).refine((v) => hasScheme(v, ["https:"]) || isLoopbackHttp(v), "not an https URL");
function isLoopbackHttp(value) {
  try {
    const url2 = new URL(value);
    return url2.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url2.hostname);
  } catch {
    return false;
  }
}
function hasScheme(value, schemes) {
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
var email = text(254).regex(/^[^\s@]+@[^\s@]+$/);
var ip = text(45).refine(isIpAddress, "not an IP address");
function isIpAddress(v) {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v.split(".").every((part) => Number(part) <= 255);
  return v.includes(":") && /^[0-9A-Fa-f:.]+$/.test(v) && !v.includes(":::");
}
var date = z.string().refine((v) => /^\d{8}$/.test(v) && isDate(v.slice(0, 4), v.slice(4, 6), v.slice(6, 8)), "not a YYYYMMDD date");
var dateTimeMinutes = z.string().refine((v) => /^\d{12}$/.test(v) && isDateTime(v), "not a YYYYMMDDHHMM date-time");
var dateTimeSeconds = z.string().refine((v) => /^\d{14}$/.test(v) && isDateTime(v), "not a YYYYMMDDHHMMSS date-time");
var yearMonth = z.string().regex(/^\d{2}(0[1-9]|1[0-2])$/);
function isDate(year, month, day) {
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return d.getUTCFullYear() === Number(year) && d.getUTCMonth() === Number(month) - 1 && d.getUTCDate() === Number(day);
}
function isDateTime(v) {
  const [hh, mm, ss] = [v.slice(8, 10), v.slice(10, 12), v.slice(12, 14) || "00"];
  return isDate(v.slice(0, 4), v.slice(4, 6), v.slice(6, 8)) && Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60;
}
var currency = digits(3, 3).refine(isValidCurrency, ISO_INVALID);
var country = digits(3, 3).refine(isValidCountry, ISO_INVALID);
var currencyNotExcluded = digits(3, 3).refine((v) => !isExcludedCurrency(v), ISO_INVALID);
var countryNotExcluded = digits(3, 3).refine((v) => !isExcludedCountry(v), ISO_INVALID);
var jsonObject = (max) => z.record(z.string(), z.unknown()).refine((v) => serialisedLength(v) <= max, `longer than ${max} characters`);
var jsonValue = (max) => z.custom((v) => v !== void 0 && v !== null && serialisedLength(v) <= max);
function serialisedLength(value) {
  try {
    return JSON.stringify(value)?.length ?? Infinity;
  } catch {
    return Infinity;
  }
}
var phone = z.object({
  cc: required(digits(1, 3)),
  subscriber: required(digits(1, 15))
});
var messageExtensionItem = z.object({
  name: required(text(64)),
  id: required(text(64)),
  criticalityIndicator: required(z.boolean()),
  data: required(jsonValue(8059))
});
var messageExtensions = (max) => z.array(messageExtensionItem).max(max);
var acsRenderingType = z.object({
  acsInterface: required(code("01", "02")),
  acsUiTemplate: required(code("01-05"))
});

// src/protocol/versions.ts
var SUPPORTED_VERSIONS = ["2.2.0", "2.3.1"];
var FALLBACK_VERSION = "2.2.0";
function isSupportedVersion(value) {
  return typeof value === "string" && SUPPORTED_VERSIONS.includes(value);
}

// src/protocol/errors.ts
var ERROR_CODES = {
  "101": "Message received invalid",
  "102": "Message version number not supported",
  "103": "Sent messages limit exceeded",
  "201": "Required data element missing",
  "202": "Critical message extension not recognised",
  "203": "Format of one or more data elements is invalid according to the specification",
  "204": "Duplicate data element",
  "205": "Card range overlap",
  // 2.3.1, PRes only
  "206": "Invalid action indicator",
  // 2.3.1, PRes only
  "207": "Data element value in a reserved range not recognised",
  // 2.3.1
  "301": "Transaction ID not recognised",
  "302": "Data decryption failure",
  "303": "Access denied, invalid endpoint",
  "304": "ISO code invalid",
  "305": "Transaction data not valid",
  "306": "Merchant category code (MCC) not valid for payment system",
  "307": "Serial number not valid",
  "308": "SDK signature verification failure",
  // 2.3.1 and on, from here to 315
  "309": "Content security policy validation failure",
  "310": "Cryptographic algorithm not supported",
  "311": "Key identifier (kid) not recognised",
  "312": "Duplicate message",
  "313": "RReq received without a challenge-capable ARes",
  "314": "Multiple browser CReq messages not supported",
  "315": "CReq received after the RReq was sent",
  "402": "Transaction timed out",
  "403": "Transient system failure",
  "404": "Permanent system failure",
  "405": "System connection failure"
};
var MAX_TEXT = 2048;
function buildErro(input) {
  const description = ERROR_CODES[input.errorCode];
  const erro = {
    messageType: "Erro",
    messageVersion: isSupportedVersion(input.messageVersion) ? input.messageVersion : FALLBACK_VERSION,
    errorCode: input.errorCode,
    errorComponent: input.errorComponent ?? "A",
    errorDescription: clip(input.errorDescription) ?? description,
    errorDetail: clip(input.errorDetail) ?? description
  };
  if (input.errorMessageType) erro.errorMessageType = input.errorMessageType;
  for (const id of ["threeDSServerTransID", "dsTransID", "acsTransID", "sdkTransID"]) {
    const value = input[id];
    if (isUuid(value)) erro[id] = value;
  }
  return erro;
}
function clip(value) {
  if (value === void 0 || value.trim() === "") return void 0;
  return value.length <= MAX_TEXT ? value : `${value.slice(0, MAX_TEXT - 3)}...`;
}

// src/acs/authenticate.ts
import { and as and2, count, eq as eq4, gte } from "drizzle-orm";

// src/cards/bin-ranges.ts
import { eq } from "drizzle-orm";

// src/db/schema.ts
var schema_exports = {};
__export(schema_exports, {
  auditLog: () => auditLog,
  binRanges: () => binRanges,
  cardholders: () => cardholders,
  cards: () => cards,
  challenges: () => challenges,
  mailOutbox: () => mailOutbox,
  members: () => members,
  methodData: () => methodData,
  otps: () => otps,
  outboundLog: () => outboundLog,
  rateCounters: () => rateCounters,
  riskRules: () => riskRules,
  sandboxMessages: () => sandboxMessages,
  sessions: () => sessions,
  smsBreaker: () => smsBreaker,
  smsOutbox: () => smsOutbox,
  staff: () => staff,
  timers: () => timers,
  transactionMessages: () => transactionMessages,
  transactions: () => transactions
});
import { index, integer, sqliteTable, text as text2, uniqueIndex } from "drizzle-orm/sqlite-core";
var createdAt = () => integer("created_at").notNull();
var binRanges = sqliteTable("bin_ranges", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  brand: text2("brand").$type().notNull(),
  /** Inclusive bounds as digit strings of equal length, compared with the PAN's prefix of that length. */
  rangeStart: text2("range_start").notNull(),
  rangeEnd: text2("range_end").notNull(),
  label: text2("label").notNull().default(""),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  createdAt: createdAt()
});
var cardholders = sqliteTable("cardholders", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** The issuer's own customer number, as imported from its core system. */
  customerRef: text2("customer_ref").notNull().unique(),
  name: text2("name").notNull(),
  /** Phone number the issuer holds (E.164). Used to confirm registrations. */
  phoneOnFile: text2("phone_on_file"),
  /** Set when the issuer's record only holds a provisional number: never texted. */
  phoneProvisional: integer("phone_provisional", { mode: "boolean" }).notNull().default(false),
  birthDate: text2("birth_date"),
  createdAt: createdAt()
});
var cards = sqliteTable(
  "cards",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    panHash: text2("pan_hash").notNull(),
    panCipher: text2("pan_cipher").notNull(),
    panFirst6: text2("pan_first6").notNull(),
    panLast4: text2("pan_last4").notNull(),
    /** YYMM, as in the AReq's cardExpiryDate. */
    expiry: text2("expiry").notNull(),
    brand: text2("brand").$type().notNull(),
    status: text2("status").$type().notNull().default("active"),
    cardholderId: integer("cardholder_id").notNull().references(() => cardholders.id),
    /** On reissue the old card points at its successor. */
    replacedByCardId: integer("replaced_by_card_id"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull()
  },
  (t) => [uniqueIndex("cards_pan_hash").on(t.panHash), index("cards_cardholder").on(t.cardholderId)]
);
var members = sqliteTable(
  "members",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    cardholderId: integer("cardholder_id").notNull().references(() => cardholders.id),
    /** The ID the cardholder types on the challenge page and in the portal. */
    loginId: text2("login_id").notNull(),
    passwordHash: text2("password_hash"),
    authMethod: text2("auth_method").$type().notNull().default("sms_otp"),
    phone: text2("phone"),
    phoneStatus: text2("phone_status").$type().notNull().default("none"),
    personalMessage: text2("personal_message"),
    status: text2("status").$type().notNull().default("provisional"),
    /** Wrong entries since the last success; incremented atomically in SQL. */
    failedAttempts: integer("failed_attempts").notNull().default(0),
    lockedAt: integer("locked_at"),
    termsAcceptedAt: integer("terms_accepted_at"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull()
  },
  (t) => [uniqueIndex("members_login_id").on(t.loginId), uniqueIndex("members_cardholder").on(t.cardholderId)]
);
var transactions = sqliteTable(
  "transactions",
  {
    acsTransID: text2("acs_trans_id").primaryKey(),
    threeDSServerTransID: text2("three_ds_server_trans_id").notNull(),
    dsTransID: text2("ds_trans_id").notNull(),
    messageVersion: text2("message_version").notNull(),
    deviceChannel: text2("device_channel").notNull(),
    messageCategory: text2("message_category").notNull(),
    /** SHA-256 of the AReq body: a repeat with the same IDs and other content is an error. */
    areqDigest: text2("areq_digest").notNull(),
    cardId: integer("card_id"),
    memberId: integer("member_id"),
    panHash: text2("pan_hash").notNull(),
    panCipher: text2("pan_cipher").notNull(),
    panLast4: text2("pan_last4").notNull(),
    brand: text2("brand").$type().notNull(),
    purchaseAmount: text2("purchase_amount"),
    purchaseCurrency: text2("purchase_currency"),
    purchaseExponent: integer("purchase_exponent"),
    merchantName: text2("merchant_name"),
    dsURL: text2("ds_url"),
    notificationURL: text2("notification_url"),
    transStatus: text2("trans_status").notNull(),
    transStatusReason: text2("trans_status_reason"),
    /** Outcome of the challenge, for the RReq and final CRes. */
    finalTransStatus: text2("final_trans_status"),
    finalTransStatusReason: text2("final_trans_status_reason"),
    challengeCancel: text2("challenge_cancel"),
    eci: text2("eci"),
    authenticationValue: text2("authentication_value"),
    interactionCounter: integer("interaction_counter").notNull().default(0),
    state: text2("state").$type().notNull(),
    /** For transStatus C: how the cardholder is challenged, or why they can only be guided (see acs/decide.ts). */
    challengeMethod: text2("challenge_method").$type(),
    riskScore: integer("risk_score"),
    riskReasons: text2("risk_reasons"),
    /** The AReq as received with the PAN masked, and the ARes exactly as sent (replayed for a repeated AReq). */
    areq: text2("areq").notNull(),
    ares: text2("ares").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull()
  },
  (t) => [
    uniqueIndex("transactions_server_ds_ids").on(t.threeDSServerTransID, t.dsTransID),
    index("transactions_card_created").on(t.cardId, t.createdAt),
    index("transactions_created").on(t.createdAt)
  ]
);
var transactionMessages = sqliteTable(
  "transaction_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    acsTransID: text2("acs_trans_id").notNull(),
    direction: text2("direction").$type().notNull(),
    messageType: text2("message_type").notNull(),
    body: text2("body").notNull(),
    createdAt: createdAt()
  },
  (t) => [index("transaction_messages_trans").on(t.acsTransID)]
);
var methodData = sqliteTable("method_data", {
  threeDSServerTransID: text2("three_ds_server_trans_id").primaryKey(),
  data: text2("data").notNull(),
  createdAt: createdAt(),
  expiresAt: integer("expires_at").notNull()
});
var challenges = sqliteTable("challenges", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  acsTransID: text2("acs_trans_id").notNull().unique(),
  method: text2("method").$type().notNull(),
  state: text2("state").$type().notNull().default("started"),
  challengeWindowSize: text2("challenge_window_size"),
  language: text2("language").notNull().default("ja"),
  /** Digest of the first CReq: an identical repeat continues, a different one is refused. */
  creqDigest: text2("creq_digest"),
  sendCount: integer("send_count").notNull().default(0),
  lastSentAt: integer("last_sent_at"),
  createdAt: createdAt(),
  lastActivityAt: integer("last_activity_at").notNull(),
  expiresAt: integer("expires_at").notNull()
});
var otps = sqliteTable(
  "otps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    acsTransID: text2("acs_trans_id").notNull(),
    codeHash: text2("code_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: createdAt()
  },
  (t) => [index("otps_trans").on(t.acsTransID)]
);
var timers = sqliteTable(
  "timers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text2("kind").$type().notNull(),
    acsTransID: text2("acs_trans_id").notNull(),
    dueAt: integer("due_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** A sweeper claims a timer by pushing this forward; another sweeper skips it meanwhile. */
    claimedUntil: integer("claimed_until"),
    doneAt: integer("done_at"),
    lastError: text2("last_error"),
    createdAt: createdAt()
  },
  (t) => [uniqueIndex("timers_kind_trans").on(t.kind, t.acsTransID), index("timers_due").on(t.doneAt, t.dueAt)]
);
var outboundLog = sqliteTable(
  "outbound_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    channel: text2("channel").$type().notNull(),
    acsTransID: text2("acs_trans_id"),
    recipient: text2("recipient").notNull(),
    provider: text2("provider").notNull(),
    status: text2("status").$type().notNull(),
    detail: text2("detail"),
    createdAt: createdAt()
  },
  (t) => [index("outbound_log_trans").on(t.acsTransID)]
);
var smsOutbox = sqliteTable("sms_outbox", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  recipient: text2("recipient").notNull(),
  body: text2("body").notNull(),
  otpCode: text2("otp_code"),
  acsTransID: text2("acs_trans_id"),
  createdAt: createdAt()
});
var mailOutbox = sqliteTable("mail_outbox", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  recipient: text2("recipient").notNull(),
  subject: text2("subject").notNull(),
  body: text2("body").notNull(),
  createdAt: createdAt()
});
var sandboxMessages = sqliteTable(
  "sandbox_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    threeDSServerTransID: text2("three_ds_server_trans_id").notNull(),
    /** Who sent it to whom, e.g. "3DS Server → DS → ACS". */
    step: text2("step").notNull(),
    messageType: text2("message_type").notNull(),
    body: text2("body").notNull(),
    ms: integer("ms"),
    createdAt: createdAt()
  },
  (t) => [index("sandbox_messages_trans").on(t.threeDSServerTransID)]
);
var rateCounters = sqliteTable("rate_counters", {
  key: text2("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull().default(0)
});
var smsBreaker = sqliteTable("sms_breaker", {
  id: integer("id").primaryKey(),
  state: text2("state").$type().notNull().default("closed"),
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  openedAt: integer("opened_at"),
  /** When the probe of a half-open breaker started; a probe older than its lease may be retaken. */
  probeStartedAt: integer("probe_started_at"),
  lastError: text2("last_error"),
  updatedAt: integer("updated_at").notNull()
});
var riskRules = sqliteTable("risk_rules", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text2("name").notNull(),
  /** What the rule looks at, e.g. amount_over, velocity, merchant_country. */
  kind: text2("kind").notNull(),
  params: text2("params").notNull().default("{}"),
  /** What a match does: add score, force a challenge, or reject. */
  action: text2("action").$type().notNull(),
  score: integer("score").notNull().default(0),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  priority: integer("priority").notNull().default(100),
  createdAt: createdAt()
});
var staff = sqliteTable("staff", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text2("username").notNull().unique(),
  displayName: text2("display_name").notNull(),
  passwordHash: text2("password_hash").notNull(),
  /** TOTP secret, AES-GCM encrypted. */
  totpSecretCipher: text2("totp_secret_cipher"),
  role: text2("role").$type().notNull(),
  status: text2("status").$type().notNull().default("active"),
  failedAttempts: integer("failed_attempts").notNull().default(0),
  createdAt: createdAt()
});
var sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the session token; the token itself lives only in the cookie. */
    id: text2("id").primaryKey(),
    subjectType: text2("subject_type").$type().notNull(),
    subjectId: integer("subject_id").notNull(),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull()
  },
  (t) => [index("sessions_subject").on(t.subjectType, t.subjectId)]
);
var auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actorType: text2("actor_type").$type().notNull(),
    actorId: integer("actor_id"),
    action: text2("action").notNull(),
    target: text2("target"),
    detail: text2("detail").notNull().default("{}"),
    requestId: text2("request_id")
  },
  (t) => [index("audit_log_at").on(t.at)]
);

// src/cards/bin-ranges.ts
var CACHE_MS = 5e3;
var cache = /* @__PURE__ */ new WeakMap();
function loadBinRanges(db, now) {
  const hit = cache.get(db);
  if (hit && now - hit.at < CACHE_MS) return hit.ranges;
  const ranges = db.select({ id: binRanges.id, brand: binRanges.brand, rangeStart: binRanges.rangeStart, rangeEnd: binRanges.rangeEnd }).from(binRanges).where(eq(binRanges.enabled, true));
  cache.set(db, { at: now, ranges });
  ranges.catch(() => cache.delete(db));
  return ranges;
}
function findBinRange(ranges, pan) {
  return ranges.find((r) => {
    const prefix = pan.slice(0, r.rangeStart.length);
    return prefix.length === r.rangeStart.length && prefix >= r.rangeStart && prefix <= r.rangeEnd;
  });
}

// src/cards/card-store.ts
import { eq as eq2 } from "drizzle-orm";

// src/encoding.ts
function bytesToHex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}
function bytesToBase64(bytes) {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin);
}
function bytesToBase64url(bytes) {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function base64urlToBytes(text3) {
  const b64 = text3.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}
async function sha256Hex(text3) {
  return bytesToHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text3)));
}
async function hmacHex(key, text3) {
  return bytesToHex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text3)));
}
function timingSafeEqual(a, b) {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

// src/cards/pan.ts
function panLookupHash(lookupKey, pan) {
  return hmacHex(lookupKey, pan);
}
async function encryptPan(encryptionKey, pan) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, encryptionKey, new TextEncoder().encode(pan));
  return `v1.${bytesToBase64url(iv)}.${bytesToBase64url(ct)}`;
}
async function decryptPan(encryptionKey, cipher) {
  const [version, iv, ct] = cipher.split(".");
  if (version !== "v1" || !iv || !ct) throw new Error("unknown PAN cipher format");
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64urlToBytes(iv) }, encryptionKey, base64urlToBytes(ct));
  return new TextDecoder().decode(plain);
}
function maskPan(pan) {
  if (!/^\d{12,19}$/.test(pan)) return "*".repeat(Math.min(pan.length, 19));
  return pan.slice(0, 6) + "*".repeat(pan.length - 10) + pan.slice(-4);
}
function luhnValid(pan) {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = pan.charCodeAt(pan.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
function withLuhnDigit(body) {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error("unreachable");
}

// src/cards/card-store.ts
async function findCardOnFile(db, panHash) {
  const [row] = await db.select({
    cardId: cards.id,
    brand: cards.brand,
    status: cards.status,
    expiry: cards.expiry,
    panLast4: cards.panLast4,
    replacedByCardId: cards.replacedByCardId,
    cardholderId: cardholders.id,
    phoneProvisional: cardholders.phoneProvisional,
    memberId: members.id,
    loginId: members.loginId,
    memberStatus: members.status,
    authMethod: members.authMethod,
    phone: members.phone,
    phoneStatus: members.phoneStatus,
    passwordHash: members.passwordHash,
    personalMessage: members.personalMessage
  }).from(cards).innerJoin(cardholders, eq2(cardholders.id, cards.cardholderId)).leftJoin(members, eq2(members.cardholderId, cardholders.id)).where(eq2(cards.panHash, panHash)).limit(1);
  if (!row) return void 0;
  return {
    card: { id: row.cardId, brand: row.brand, status: row.status, expiry: row.expiry, panLast4: row.panLast4, replacedByCardId: row.replacedByCardId },
    cardholder: { id: row.cardholderId, phoneProvisional: row.phoneProvisional },
    member: row.memberId === null ? null : {
      id: row.memberId,
      loginId: row.loginId,
      status: row.memberStatus,
      authMethod: row.authMethod,
      phone: row.phone,
      phoneStatus: row.phoneStatus,
      hasPassword: row.passwordHash !== null,
      personalMessage: row.personalMessage
    }
  };
}
async function protectPan(keys, pan) {
  return {
    panHash: await panLookupHash(keys.panLookup, pan),
    panCipher: await encryptPan(keys.panEncryption, pan),
    panFirst6: pan.slice(0, 6),
    panLast4: pan.slice(-4)
  };
}
async function insertCard(db, keys, clock, cardholderId, card) {
  const now = clock.now();
  const [row] = await db.insert(cards).values({ ...await protectPan(keys, card.pan), expiry: card.expiry, brand: card.brand, status: card.status ?? "active", cardholderId, createdAt: now, updatedAt: now }).returning({ id: cards.id });
  return row.id;
}

// src/messaging/breaker.ts
import { and, eq as eq3, gt, lte, or, sql } from "drizzle-orm";
var ROW_ID = 1;
var CACHE_MS2 = 1e3;
var PROBE_LEASE_EXTRA_MS = 5e3;
var cache2 = /* @__PURE__ */ new WeakMap();
function breakerView(row, now, deps2) {
  if (!row || row.state === "closed") return { state: "closed", sends: "yes" };
  if (row.state === "open") {
    const due = (row.openedAt ?? 0) + deps2.config.SMS_BREAKER_OPEN_SECONDS * 1e3 <= now;
    return due ? { state: "half_open", sends: "probe" } : { state: "open", sends: "no" };
  }
  const lost = (row.probeStartedAt ?? 0) + probeLeaseMs(deps2) <= now;
  return { state: "half_open", sends: lost ? "probe" : "no" };
}
async function readBreaker(deps2, maxAgeMs = 0) {
  const now = deps2.clock.now();
  const hit = cache2.get(deps2.db);
  if (hit && maxAgeMs > 0 && now - hit.at < maxAgeMs) return hit.row;
  const row = await deps2.db.select({ state: smsBreaker.state, consecutiveFailures: smsBreaker.consecutiveFailures, openedAt: smsBreaker.openedAt, probeStartedAt: smsBreaker.probeStartedAt }).from(smsBreaker).where(eq3(smsBreaker.id, ROW_ID)).get();
  cache2.set(deps2.db, { row, at: now });
  return row;
}
async function smsChallengesAvailable(deps2) {
  const row = await readBreaker(deps2, CACHE_MS2);
  return breakerView(row, deps2.clock.now(), deps2).sends !== "no";
}
async function acquireSend(deps2) {
  const now = deps2.clock.now();
  const view = breakerView(await readBreaker(deps2), now, deps2);
  if (view.sends === "yes") return { ok: true, probe: false };
  if (view.sends === "no") return { ok: false };
  const openMs = deps2.config.SMS_BREAKER_OPEN_SECONDS * 1e3;
  const claimed = await deps2.db.update(smsBreaker).set({ state: "half_open", probeStartedAt: now, updatedAt: now }).where(
    and(
      eq3(smsBreaker.id, ROW_ID),
      or(
        and(eq3(smsBreaker.state, "open"), lte(smsBreaker.openedAt, now - openMs)),
        and(eq3(smsBreaker.state, "half_open"), lte(smsBreaker.probeStartedAt, now - probeLeaseMs(deps2)))
      )
    )
  ).returning();
  remember(deps2, claimed[0]);
  if (claimed.length === 0) return { ok: false };
  deps2.log.warn("sms breaker half-open: this send is the probe", { breaker: "half_open", failures: claimed[0].consecutiveFailures });
  return { ok: true, probe: true };
}
async function recordSuccess(deps2, probe) {
  const now = deps2.clock.now();
  if (probe) {
    const closed = await deps2.db.update(smsBreaker).set({ state: "closed", consecutiveFailures: 0, openedAt: null, probeStartedAt: null, lastError: null, updatedAt: now }).where(and(eq3(smsBreaker.id, ROW_ID), eq3(smsBreaker.state, "half_open"))).returning();
    remember(deps2, closed[0]);
    if (closed.length > 0) deps2.log.info("sms breaker closed: the probe succeeded", { breaker: "closed" });
    return;
  }
  const reset = await deps2.db.update(smsBreaker).set({ consecutiveFailures: 0, lastError: null, updatedAt: now }).where(and(eq3(smsBreaker.id, ROW_ID), eq3(smsBreaker.state, "closed"), gt(smsBreaker.consecutiveFailures, 0))).returning();
  if (reset.length > 0) remember(deps2, reset[0]);
}
async function recordFailure(deps2, probe, error) {
  const now = deps2.clock.now();
  const lastError = error.slice(0, 300);
  if (probe) {
    const reopened = await deps2.db.update(smsBreaker).set({ state: "open", openedAt: now, probeStartedAt: null, lastError, updatedAt: now }).where(and(eq3(smsBreaker.id, ROW_ID), eq3(smsBreaker.state, "half_open"))).returning();
    remember(deps2, reopened[0]);
    if (reopened.length > 0) {
      deps2.log.warn("sms breaker re-opened: the probe failed", { breaker: "open", error: lastError, openSeconds: deps2.config.SMS_BREAKER_OPEN_SECONDS });
    }
    return reopened.length > 0;
  }
  const threshold = deps2.config.SMS_BREAKER_THRESHOLD;
  const reaches = sql`${smsBreaker.consecutiveFailures} + 1 >= ${threshold}`;
  const rows = await deps2.db.insert(smsBreaker).values({
    id: ROW_ID,
    state: threshold <= 1 ? "open" : "closed",
    consecutiveFailures: 1,
    openedAt: threshold <= 1 ? now : null,
    lastError,
    updatedAt: now
  }).onConflictDoUpdate({
    target: smsBreaker.id,
    set: {
      consecutiveFailures: sql`${smsBreaker.consecutiveFailures} + 1`,
      state: sql`case when ${reaches} then 'open' else 'closed' end`,
      openedAt: sql`case when ${reaches} then ${now} else ${smsBreaker.openedAt} end`,
      lastError,
      updatedAt: now
    },
    // Only a closed breaker counts; an open one is already open.
    setWhere: eq3(smsBreaker.state, "closed")
  }).returning();
  const row = rows[0];
  remember(deps2, row);
  const opened = row?.state === "open";
  if (opened) {
    deps2.log.warn("sms breaker opened: SMS challenges stop until a probe succeeds", {
      breaker: "open",
      failures: row.consecutiveFailures,
      error: lastError,
      openSeconds: deps2.config.SMS_BREAKER_OPEN_SECONDS
    });
  }
  return opened;
}
function probeLeaseMs(deps2) {
  return deps2.config.SMS_SEND_BUDGET_MS + PROBE_LEASE_EXTRA_MS;
}
function remember(deps2, row) {
  if (!row) {
    cache2.delete(deps2.db);
    return;
  }
  const { state, consecutiveFailures, openedAt, probeStartedAt } = row;
  cache2.set(deps2.db, { row: { state, consecutiveFailures, openedAt, probeStartedAt }, at: deps2.clock.now() });
}

// src/protocol/ares.ts
import { z as z2 } from "zod";

// src/protocol/codes.ts
var MESSAGE_TYPES = [
  "AReq",
  "ARes",
  "CReq",
  "CRes",
  "PReq",
  "PRes",
  "RReq",
  "RRes",
  "OReq",
  "ORes",
  "Erro"
];
function isMessageType(value) {
  return typeof value === "string" && MESSAGE_TYPES.includes(value);
}
var AUTHENTICATION_METHOD_FOR_TYPE = {
  "01": "01",
  // static -> static passcode
  "02": "02",
  // dynamic -> SMS OTP, the appliance's only dynamic method
  "03": "09",
  // OOB -> OOB other
  "04": "12"
  // decoupled
};
var ECI = {
  visa: { authenticated: "05", attempted: "06", notAuthenticated: "07" },
  jcb: { authenticated: "05", attempted: "06", notAuthenticated: "07" },
  mastercard: { authenticated: "02", attempted: "01", notAuthenticated: "00" }
};
function eciFor(brand, transStatus) {
  const eci = ECI[brand];
  switch (transStatus) {
    case "Y":
      return eci.authenticated;
    case "A":
      return eci.attempted;
    case "N":
    case "U":
    case "R":
    case "I":
      return eci.notAuthenticated;
    default:
      return void 0;
  }
}

// src/protocol/presence.ts
function checkPresence(rules, m, ctx) {
  for (const rule of rules) {
    const isRequired = rule.requiredIf(m);
    for (const element of rule.elements) {
      if (isRequired && isMissing(m[element])) {
        ctx.addIssue({ code: "custom", path: [element], message: "required element missing", params: { errorCode: "201" } });
      } else if (!isRequired && rule.onlyThen && m[element] !== void 0) {
        ctx.addIssue({ code: "custom", path: [element], message: "condition for this element not met", params: { errorCode: "203" } });
      }
    }
  }
}
var EVEN_WITH_FORMAT_ERRORS = { when: () => true };
var oneOf = (value, codes) => typeof value === "string" && codes.includes(value);
var isPresent = (value) => !isMissing(value);
function withoutUndefined(message) {
  return Object.fromEntries(Object.entries(message).filter(([, v]) => v !== void 0));
}

// src/protocol/ares.ts
var authenticationValue220 = z2.string().length(28).regex(/^[a-zA-Z0-9+/]{26,28}={0,2}$/);
var jws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
var opaqueObject = jsonObject(64e3);
var fields220 = {
  messageType: required(z2.literal("ARes")),
  messageVersion: required(z2.literal("2.2.0")),
  threeDSServerTransID: required(uuid),
  dsTransID: required(uuid),
  acsTransID: required(uuid),
  sdkTransID: optional(uuid),
  acsReferenceNumber: required(text(32)),
  acsOperatorID: optional(text(32)),
  dsReferenceNumber: required(text(32)),
  transStatus: required(z2.enum(["Y", "N", "U", "A", "C", "D", "R", "I"])),
  transStatusReason: optional(code("01-26", "80-99")),
  acsChallengeMandated: optional(z2.enum(["Y", "N"])),
  acsDecConInd: optional(z2.enum(["Y", "N"])),
  acsURL: optional(url(2048)),
  authenticationType: optional(code("01-04", "80-99")),
  authenticationValue: optional(authenticationValue220),
  eci: optional(text(2)),
  cardholderInfo: optional(text(128)),
  acsRenderingType: optional(acsRenderingType),
  acsSignedContent: optional(z2.string().regex(jws)),
  broadInfo: optional(opaqueObject),
  // in the 2.2.0 spec per secondary sources, not in 3dsecure.io's table
  messageExtension: optional(messageExtensions(10)),
  whiteListStatus: optional(z2.enum(["Y", "N", "E", "P", "R", "U"])),
  whiteListStatusSource: optional(code("01", "02", "03", "80-99"))
};
var { whiteListStatus, whiteListStatusSource, authenticationType, ...kept220 } = fields220;
var fields231 = {
  ...kept220,
  messageVersion: required(z2.literal("2.3.1")),
  transStatus: required(z2.enum(["Y", "N", "U", "A", "C", "D", "R", "I", "S"])),
  transStatusReason: optional(code("01-30", "80-99")),
  transStatusReasonInfo: optional(text(256)),
  acsURL: optional(httpsUrl(2048)),
  authenticationMethod: optional(z2.array(code("01-16", "80-99")).max(99)),
  authenticationValue: optional(text(4e3)),
  // length is now set by the payment system
  cardholderInfo: optional(z2.object({ text: required(text(128)), issuerImage: optional(opaqueObject), paymentSystemImage: optional(opaqueObject) })),
  acsSignedContent: optional(z2.string().max(16e3).regex(jws)),
  messageExtension: optional(messageExtensions(15)),
  trustListStatus: optional(z2.enum(["Y", "N", "E", "P", "R", "U"])),
  trustListStatusSource: optional(code("01", "02", "03", "80-99")),
  transChallengeExemption: optional(code("01-99")),
  cardSecurityCodeStatus: optional(z2.enum(["Y", "N", "U"])),
  cardSecurityCodeStatusSource: optional(code("01", "02", "80-99")),
  deviceBindingStatus: optional(code("01-99")),
  deviceBindingStatusSource: optional(code("01", "02", "03", "80-99")),
  threeDSRequestorAppURLInd: optional(z2.enum(["Y", "N"])),
  deviceInfoRecognisedVersion: optional(text(64)),
  spcTransData: optional(opaqueObject),
  webAuthnCredList: optional(z2.array(opaqueObject).max(10))
};
var challenged = (m) => oneOf(m.transStatus, ["C", "D"]);
var browserChallenge = (m) => m.transStatus === "C" && !isPresent(m.sdkTransID);
var appChallenge = (m) => m.transStatus === "C" && isPresent(m.sdkTransID);
var commonRules = [
  { elements: ["acsChallengeMandated"], requiredIf: challenged },
  { elements: ["acsDecConInd"], requiredIf: (m) => m.transStatus === "D" },
  { elements: ["cardholderInfo"], requiredIf: (m) => m.acsDecConInd === "Y" },
  { elements: ["acsURL"], requiredIf: browserChallenge },
  { elements: ["acsRenderingType", "acsSignedContent"], requiredIf: appChallenge }
];
var rules220 = [
  ...commonRules,
  { elements: ["authenticationType"], requiredIf: challenged },
  { elements: ["whiteListStatusSource"], requiredIf: (m) => isPresent(m.whiteListStatus), onlyThen: true }
];
var rules231 = [
  ...commonRules,
  // The digest also lists Y/N for authenticationMethod: that is its RReq rule; a frictionless ARes used no method.
  { elements: ["authenticationMethod"], requiredIf: challenged },
  { elements: ["spcTransData", "webAuthnCredList"], requiredIf: (m) => m.transStatus === "S" },
  { elements: ["trustListStatusSource"], requiredIf: (m) => isPresent(m.trustListStatus), onlyThen: true },
  { elements: ["cardSecurityCodeStatusSource"], requiredIf: (m) => isPresent(m.cardSecurityCodeStatus), onlyThen: true },
  { elements: ["deviceBindingStatusSource"], requiredIf: (m) => isPresent(m.deviceBindingStatus), onlyThen: true }
];
var ARes220 = z2.object(fields220).superRefine((m, ctx) => checkPresence(rules220, m, ctx), EVEN_WITH_FORMAT_ERRORS);
var ARes231 = z2.object(fields231).superRefine((m, ctx) => checkPresence(rules231, m, ctx), EVEN_WITH_FORMAT_ERRORS);
var ARES_SCHEMAS = { "2.2.0": ARes220, "2.3.1": ARes231 };
function buildARes(input) {
  const is231 = input.messageVersion === "2.3.1";
  const ares = {
    messageType: "ARes",
    messageVersion: input.messageVersion,
    threeDSServerTransID: input.threeDSServerTransID,
    dsTransID: input.dsTransID,
    acsTransID: input.acsTransID,
    acsReferenceNumber: input.acsReferenceNumber,
    acsOperatorID: input.acsOperatorID,
    dsReferenceNumber: input.dsReferenceNumber,
    sdkTransID: input.sdkTransID,
    transStatus: input.transStatus
  };
  switch (input.transStatus) {
    case "Y":
    case "A":
    case "I":
      Object.assign(ares, { eci: input.eci, authenticationValue: input.authenticationValue });
      break;
    case "N":
    case "U":
    case "R":
      Object.assign(ares, { transStatusReason: input.transStatusReason, eci: input.eci });
      break;
    case "C":
      Object.assign(ares, { acsURL: input.acsURL, acsChallengeMandated: input.acsChallengeMandated });
      if (is231) ares.authenticationMethod = input.authenticationMethod ?? [AUTHENTICATION_METHOD_FOR_TYPE[input.authenticationType]];
      else ares.authenticationType = input.authenticationType;
      break;
  }
  if (input.cardholderInfo !== void 0) ares.cardholderInfo = is231 ? { text: input.cardholderInfo } : input.cardholderInfo;
  if (is231) ares.transStatusReasonInfo = input.transStatusReasonInfo;
  ares.broadInfo = input.broadInfo;
  ares.messageExtension = input.messageExtension;
  return ARES_SCHEMAS[input.messageVersion].parse(withoutUndefined(ares));
}

// src/protocol/areq.ts
import { z as z3 } from "zod";

// src/protocol/json.ts
var MAX_REPORTED = 100;
function findDuplicateKeys(text3) {
  const found = /* @__PURE__ */ new Set();
  const stack = [];
  let reports = 0;
  let i = 0;
  while (i < text3.length && reports < MAX_REPORTED) {
    const c = text3.charCodeAt(i);
    const top = stack.length > 0 ? stack[stack.length - 1] : void 0;
    if (c === QUOTE) {
      const end = closingQuote(text3, i + 1);
      if (end < 0) break;
      if (top?.kind === "object" && top.expectKey) {
        const key = unescapeKey(text3.slice(i + 1, end));
        if (top.keys.has(key)) {
          found.add(spell({ parent: top.path, key }));
          reports++;
        }
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const path = top === void 0 ? null : top.kind === "object" ? { parent: top.path, key: top.lastKey } : top.path;
      stack.push({ kind: c === OPEN_BRACE ? "object" : "array", path, keys: /* @__PURE__ */ new Set(), expectKey: c === OPEN_BRACE, lastKey: "" });
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
    } else if (c === COMMA && top?.kind === "object") {
      top.expectKey = true;
    }
    i++;
  }
  return [...found];
}
var QUOTE = 34;
var BACKSLASH = 92;
var COMMA = 44;
var OPEN_BRACE = 123;
var CLOSE_BRACE = 125;
var OPEN_BRACKET = 91;
var CLOSE_BRACKET = 93;
function closingQuote(text3, from) {
  for (let i = from; i < text3.length; i++) {
    const c = text3.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}
var SIMPLE_ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "	" };
function unescapeKey(raw2) {
  if (!raw2.includes("\\")) return raw2;
  let out = "";
  for (let i = 0; i < raw2.length; i++) {
    const ch = raw2[i];
    if (ch !== "\\" || i + 1 >= raw2.length) {
      out += ch;
      continue;
    }
    const next = raw2[i + 1];
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(raw2.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(raw2.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
      i += 1;
    }
  }
  return out;
}
function spell(node) {
  const keys = [];
  for (let n = node; n !== null; n = n.parent) keys.push(n.key);
  return keys.reverse().join(".");
}

// src/protocol/validation.ts
var PRIORITY = ["201", "203", "204", "202", "304"];
function readMessage(text3, expected) {
  let value;
  try {
    value = JSON.parse(text3);
  } catch {
    return { ok: false, erro: buildErro({ errorCode: "101", errorDetail: "Message is not valid JSON" }) };
  }
  const checked = checkType(value, expected);
  if (!checked.ok) return checked;
  const duplicates = findDuplicateKeys(text3);
  if (duplicates.length > 0) return { ok: false, erro: erroFor(checked.message, expected, "204", duplicates.join(",")) };
  return checkVersion(checked.message, expected);
}
function checkType(value, expected) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, erro: buildErro({ errorCode: "101", errorDetail: "Message is not a JSON object" }) };
  }
  const message = value;
  if (message.messageType !== expected) {
    const received = isMessageType(message.messageType) ? message.messageType : void 0;
    const detail = received ? `messageType ${received} is not accepted here` : `messageType must be ${expected}`;
    return { ok: false, erro: erroFor(message, received, "101", detail) };
  }
  return { ok: true, message };
}
function checkVersion(message, expected) {
  if (isMissing(message.messageVersion)) return { ok: false, erro: erroFor(message, expected, "201", "messageVersion") };
  if (!isSupportedVersion(message.messageVersion)) {
    return { ok: false, erro: erroFor(message, expected, "102", SUPPORTED_VERSIONS.join(",")) };
  }
  return { ok: true, message, messageVersion: message.messageVersion };
}
function erroFromIssues(issues, message, messageType) {
  const namesByCode = /* @__PURE__ */ new Map();
  for (const issue of issues) {
    const errorCode2 = codeOf(issue);
    const names2 = namesByCode.get(errorCode2) ?? /* @__PURE__ */ new Set();
    const name = detailOf(issue);
    if (name) names2.add(name);
    namesByCode.set(errorCode2, names2);
  }
  const errorCode = PRIORITY.find((c) => namesByCode.has(c)) ?? [...namesByCode.keys()][0] ?? "203";
  const names = [...namesByCode.get(errorCode) ?? []];
  return erroFor(message, messageType, errorCode, names.join(",") || messageType);
}
function codeOf(issue) {
  const params = issue.params;
  if (params?.errorCode) return params.errorCode;
  return issue.input === void 0 ? "201" : "203";
}
function detailOf(issue) {
  const params = issue.params;
  if (params?.detail) return params.detail;
  return issue.path.filter((p) => typeof p === "string").join(".");
}
function erroFor(message, errorMessageType, errorCode, errorDetail) {
  return buildErro({
    errorCode,
    errorDetail,
    errorMessageType,
    messageVersion: message.messageVersion,
    threeDSServerTransID: message.threeDSServerTransID,
    dsTransID: message.dsTransID,
    acsTransID: message.acsTransID,
    sdkTransID: message.sdkTransID
  });
}

// src/protocol/areq.ts
var acctInfo = z3.object({
  chAccAgeInd: optional(code("01-05")),
  chAccChange: optional(date),
  chAccChangeInd: optional(code("01-04")),
  chAccDate: optional(date),
  chAccPwChange: optional(date),
  chAccPwChangeInd: optional(code("01-05")),
  chAccReqID: optional(text(64)),
  nbPurchaseAccount: optional(digits(1, 4)),
  paymentAccAge: optional(date),
  paymentAccInd: optional(code("01-05")),
  provisionAttemptsDay: optional(digits(1, 3)),
  shipAddressUsage: optional(date),
  shipAddressUsageInd: optional(code("01-04")),
  shipNameIndicator: optional(code("01", "02")),
  suspiciousAccActivity: optional(code("01", "02")),
  txnActivityDay: optional(digits(1, 3)),
  txnActivityYear: optional(digits(1, 3))
});
var merchantRiskIndicator = z3.object({
  deliveryEmailAddress: optional(email),
  deliveryTimeframe: optional(code("01-04")),
  giftCardAmount: optional(digits(1, 15)),
  giftCardCount: optional(digits(2, 2)),
  giftCardCurr: optional(currencyNotExcluded),
  preOrderDate: optional(date),
  preOrderPurchaseInd: optional(code("01", "02")),
  reorderItemsInd: optional(code("01", "02")),
  shipIndicator: optional(code("01-09")),
  transChar: optional(z3.array(code("01", "02")).max(2))
});
var authenticationInfo = (methods) => z3.object({
  threeDSReqAuthData: optional(text(2e4)),
  threeDSReqAuthMethod: optional(code(methods, "80-99")),
  threeDSReqAuthTimestamp: optional(dateTimeMinutes)
});
var priorAuthenticationInfo = z3.object({
  threeDSReqPriorAuthData: optional(text(2048)),
  threeDSReqPriorAuthMethod: optional(code("01-04", "80-99")),
  threeDSReqPriorAuthTimestamp: optional(dateTimeMinutes),
  threeDSReqPriorRef: optional(text(36))
});
var deviceRenderOptions = z3.object({
  sdkInterface: optional(code("01", "02", "03")),
  sdkUiType: optional(z3.array(code("01-07")).max(7)),
  sdkAuthenticationType: optional(z3.array(code("01-99")).max(99))
  // 2.3.1
});
var opaqueObject2 = jsonObject(64e3);
var fields2202 = {
  // message and transaction identity
  messageType: required(z3.literal("AReq")),
  messageVersion: required(z3.literal("2.2.0")),
  messageCategory: required(code("01", "02", "80-99")),
  deviceChannel: required(code("01", "02", "03", "80-99")),
  threeDSServerTransID: required(uuid),
  threeDSServerRefNumber: required(text(32)),
  threeDSServerOperatorID: optional(text(32)),
  threeDSServerURL: required(url(2048)),
  threeDSRequestorID: required(text(35)),
  threeDSRequestorName: required(text(40)),
  threeDSRequestorURL: required(url(2048)),
  // added by the DS before forwarding to the ACS
  dsReferenceNumber: optional(text(32)),
  dsTransID: optional(uuid),
  dsURL: optional(url(2048)),
  messageExtension: optional(messageExtensions(10)),
  // card and cardholder
  acctNumber: required(digits(13, 19)),
  acctType: optional(code("01", "02", "03", "80-99")),
  acctID: optional(text(64)),
  acctInfo: optional(acctInfo),
  cardExpiryDate: optional(yearMonth),
  cardholderName: optional(text(45, 2)),
  email: optional(email),
  homePhone: optional(phone),
  mobilePhone: optional(phone),
  workPhone: optional(phone),
  billAddrCity: optional(text(50)),
  billAddrCountry: optional(countryNotExcluded),
  billAddrLine1: optional(text(50)),
  billAddrLine2: optional(text(50)),
  billAddrLine3: optional(text(50)),
  billAddrPostCode: optional(text(16)),
  billAddrState: optional(text(3)),
  shipAddrCity: optional(text(50)),
  shipAddrCountry: optional(countryNotExcluded),
  shipAddrLine1: optional(text(50)),
  shipAddrLine2: optional(text(50)),
  shipAddrLine3: optional(text(50)),
  shipAddrPostCode: optional(text(16)),
  shipAddrState: optional(text(3)),
  addrMatch: optional(z3.enum(["Y", "N"])),
  // merchant and purchase
  acquirerBIN: optional(text(11)),
  acquirerMerchantID: optional(text(35)),
  mcc: optional(digits(4, 4)),
  merchantCountryCode: optional(country),
  merchantName: optional(text(40)),
  merchantRiskIndicator: optional(merchantRiskIndicator),
  purchaseAmount: optional(digits(1, 48)),
  purchaseCurrency: optional(currency),
  purchaseExponent: optional(digits(1, 1)),
  purchaseDate: optional(dateTimeSeconds),
  purchaseInstalData: optional(numericInRange(1, 3, 2, 999)),
  recurringExpiry: optional(date),
  recurringFrequency: optional(digits(1, 4)),
  transType: optional(code("01", "03", "10", "11", "28")),
  payTokenInd: optional(z3.literal(true)),
  payTokenSource: optional(code("01", "02", "80-99")),
  // 3DS Requestor preferences
  threeDSRequestorAuthenticationInd: optional(code("01-06", "80-99")),
  threeDSRequestorAuthenticationInfo: optional(authenticationInfo("01-08")),
  threeDSRequestorChallengeInd: optional(code("01-09", "80-99")),
  threeDSRequestorPriorAuthenticationInfo: optional(priorAuthenticationInfo),
  threeDSRequestorDecReqInd: optional(z3.enum(["Y", "N"])),
  threeDSRequestorDecMaxTime: optional(numericInRange(5, 5, 1, 10080)),
  threeDSReqAuthMethodInd: optional(code("01", "02", "03", "80-99")),
  threeRIInd: optional(code("01-11", "80-99")),
  whiteListStatus: optional(z3.enum(["Y", "N", "E", "P", "R", "U"])),
  whiteListStatusSource: optional(code("01", "02", "03", "80-99")),
  // browser channel
  browserAcceptHeader: optional(text(2048)),
  browserIP: optional(ip),
  browserJavaEnabled: optional(z3.boolean()),
  browserJavascriptEnabled: optional(z3.boolean()),
  browserLanguage: optional(text(8)),
  browserColorDepth: optional(z3.enum(["1", "4", "8", "15", "16", "24", "32", "48"])),
  browserScreenHeight: optional(digits(1, 6)),
  browserScreenWidth: optional(digits(1, 6)),
  browserTZ: optional(z3.string().regex(/^[+-]?\d{1,4}$/)),
  browserUserAgent: optional(text(2048)),
  notificationURL: optional(url(256)),
  threeDSCompInd: optional(z3.enum(["Y", "N", "U"])),
  // app channel (the DS has decrypted sdkEncData into deviceInfo)
  deviceInfo: optional(text(64e3)),
  deviceRenderOptions: optional(deviceRenderOptions),
  sdkAppID: optional(uuid),
  sdkEncData: optional(text(64e3)),
  sdkEphemPubKey: optional(jsonObject(256)),
  sdkMaxTimeout: optional(numericInRange(2, 2, 5, 99)),
  sdkReferenceNumber: optional(text(32)),
  sdkTransID: optional(uuid)
};
var { whiteListStatus: whiteListStatus2, whiteListStatusSource: whiteListStatusSource2, threeDSReqAuthMethodInd, ...kept2202 } = fields2202;
var fields2312 = {
  ...kept2202,
  messageVersion: required(z3.literal("2.3.1")),
  messageExtension: optional(messageExtensions(15)),
  threeDSRequestorURL: required(httpsUrl(2048)),
  notificationURL: optional(httpsUrl(256)),
  acquirerCountryCode: required(country),
  acquirerCountryCodeSource: required(code("01", "02", "80-99")),
  // preferences: several may now be given, in order of preference
  threeDSRequestorAuthenticationInd: optional(code("01-10", "80-99")),
  threeDSRequestorAuthenticationInfo: optional(z3.array(authenticationInfo("01-09")).max(3)),
  threeDSRequestorChallengeInd: optional(z3.array(code("01-14", "80-99")).max(2)),
  threeDSRequestorPriorAuthenticationInfo: optional(z3.array(priorAuthenticationInfo).max(3)),
  threeDSRequestorDecReqInd: optional(z3.enum(["Y", "N", "F", "B"])),
  threeRIInd: optional(code("01-19", "80-99")),
  trustListStatus: optional(z3.enum(["Y", "N", "E", "P", "R", "U"])),
  trustListStatusSource: optional(code("01", "02", "03", "80-99")),
  // browser channel
  acceptLanguage: optional(z3.array(text(100)).max(99)),
  browserLanguage: optional(text(35)),
  browserColorDepth: optional(numericInRange(1, 2, 1, 99)),
  threeDSMethodId: optional(uuid),
  threeDSRequestorSpcSupport: optional(z3.literal("Y")),
  payeeOrigin: optional(url(2048)),
  spcIncompInd: optional(digits(2, 2)),
  deviceId: optional(text(64)),
  userId: optional(text(254)),
  // app channel
  appIp: optional(ip),
  sdkType: optional(code("01", "02", "80-99")),
  defaultSdkType: optional(opaqueObject2),
  splitSdkType: optional(opaqueObject2),
  sdkServerSignedContent: optional(text(64e3)),
  sdkSignatureTimestamp: optional(dateTimeSeconds),
  // new purchase, card and risk data
  recurringAmount: optional(digits(1, 48)),
  recurringCurrency: optional(currency),
  recurringExponent: optional(digits(1, 1)),
  recurringDate: optional(date),
  recurringInd: optional(opaqueObject2),
  cardSecurityCode: optional(digits(3, 4)),
  cardSecurityCodeStatus: optional(z3.enum(["Y", "N", "U"])),
  cardSecurityCodeStatusSource: optional(code("01", "02", "80-99")),
  deviceBindingStatus: optional(digits(2, 2)),
  deviceBindingStatusSource: optional(code("01", "02", "03", "80-99")),
  payTokenInfo: optional(text(64e3)),
  multiTransaction: optional(opaqueObject2),
  sellerInfo: optional(z3.array(opaqueObject2).max(50)),
  taxId: optional(text(45)),
  broadInfo: optional(opaqueObject2)
};
var isApp = (m) => m.deviceChannel === "01";
var isBrowser = (m) => m.deviceChannel === "02";
var isThreeRI = (m) => m.deviceChannel === "03";
var isPayment = (m) => m.messageCategory === "01";
var isNonPayment = (m) => m.messageCategory === "02";
var authInd = (m) => isThreeRI(m) ? void 0 : m.threeDSRequestorAuthenticationInd;
var riInd = (m) => isThreeRI(m) ? m.threeRIInd : void 0;
var MERCHANT = ["acquirerBIN", "acquirerMerchantID", "mcc", "merchantCountryCode", "merchantName"];
var PURCHASE = ["purchaseAmount", "purchaseCurrency", "purchaseDate", "purchaseExponent"];
var BROWSER_IF_JAVASCRIPT = ["browserColorDepth", "browserJavaEnabled", "browserScreenHeight", "browserScreenWidth", "browserTZ"];
var APP = ["sdkAppID", "sdkEphemPubKey", "sdkMaxTimeout", "sdkReferenceNumber", "sdkTransID", "deviceRenderOptions"];
var commonRules2 = [
  { elements: MERCHANT, requiredIf: isPayment },
  { elements: ["threeDSRequestorAuthenticationInd"], requiredIf: (m) => isBrowser(m) || isApp(m) },
  { elements: ["threeRIInd"], requiredIf: isThreeRI },
  { elements: APP, requiredIf: isApp },
  { elements: ["purchaseInstalData"], requiredIf: (m) => authInd(m) === "03" || riInd(m) === "02" },
  { elements: ["recurringExpiry", "recurringFrequency"], requiredIf: (m) => oneOf(authInd(m), ["02", "03"]) || oneOf(riInd(m), ["01", "02"]) },
  { elements: ["shipAddrCountry"], requiredIf: (m) => isPresent(m.shipAddrState) },
  { elements: ["payTokenSource"], requiredIf: (m) => m.payTokenInd === true, onlyThen: true }
];
var rules2202 = [
  ...commonRules2,
  {
    elements: PURCHASE,
    requiredIf: (m) => isPayment(m) || isNonPayment(m) && (oneOf(authInd(m), ["02", "03"]) || oneOf(riInd(m), ["01", "02", "06", "07", "08", "09", "11"]))
  },
  {
    elements: ["browserAcceptHeader", "browserJavascriptEnabled", "browserLanguage", "browserUserAgent", "notificationURL", "threeDSCompInd"],
    requiredIf: isBrowser
  },
  { elements: BROWSER_IF_JAVASCRIPT, requiredIf: (m) => isBrowser(m) && m.browserJavascriptEnabled === true },
  { elements: ["threeDSRequestorDecMaxTime"], requiredIf: (m) => m.threeDSRequestorDecReqInd === "Y", onlyThen: true },
  { elements: ["whiteListStatusSource"], requiredIf: (m) => isPresent(m.whiteListStatus), onlyThen: true }
];
var rules2312 = [
  ...commonRules2,
  {
    elements: PURCHASE,
    requiredIf: (m) => isPayment(m) || isNonPayment(m) && (oneOf(authInd(m), ["02", "03", "07", "08", "09"]) || oneOf(riInd(m), ["01", "02", "06", "07", "08", "09", "11", "15"]))
  },
  {
    elements: ["acceptLanguage", "browserAcceptHeader", "browserJavascriptEnabled", "browserUserAgent", "notificationURL", "threeDSCompInd"],
    requiredIf: isBrowser
  },
  { elements: [...BROWSER_IF_JAVASCRIPT, "browserLanguage"], requiredIf: (m) => isBrowser(m) && m.browserJavascriptEnabled === true },
  { elements: ["threeDSRequestorDecMaxTime"], requiredIf: (m) => oneOf(m.threeDSRequestorDecReqInd, ["Y", "F", "B"]), onlyThen: true },
  { elements: ["trustListStatusSource"], requiredIf: (m) => isPresent(m.trustListStatus), onlyThen: true },
  { elements: ["cardSecurityCodeStatusSource"], requiredIf: (m) => isPresent(m.cardSecurityCodeStatus), onlyThen: true },
  { elements: ["deviceBindingStatusSource"], requiredIf: (m) => isPresent(m.deviceBindingStatus), onlyThen: true }
];
var CHANNEL_ONLY = [
  {
    channels: ["02"],
    elements: [
      "acceptLanguage",
      "browserAcceptHeader",
      "browserColorDepth",
      "browserIP",
      "browserJavaEnabled",
      "browserJavascriptEnabled",
      "browserLanguage",
      "browserScreenHeight",
      "browserScreenWidth",
      "browserTZ",
      "browserUserAgent",
      "notificationURL",
      "threeDSCompInd",
      "threeDSMethodId",
      "threeDSRequestorSpcSupport",
      "payeeOrigin",
      "spcIncompInd",
      "deviceId",
      "userId"
    ]
  },
  {
    channels: ["01"],
    elements: [
      "deviceInfo",
      "deviceRenderOptions",
      "sdkAppID",
      "sdkEncData",
      "sdkEphemPubKey",
      "sdkMaxTimeout",
      "sdkReferenceNumber",
      "sdkTransID",
      "appIp",
      "sdkType",
      "defaultSdkType",
      "splitSdkType",
      "sdkServerSignedContent",
      "sdkSignatureTimestamp"
    ]
  },
  {
    channels: ["01", "02"],
    elements: [
      "addrMatch",
      "threeDSReqAuthMethodInd",
      "threeDSRequestorAuthenticationInd",
      "threeDSRequestorAuthenticationInfo",
      "threeDSRequestorChallengeInd"
    ]
  },
  { channels: ["03"], elements: ["threeRIInd"] }
];
function checkExponents(m, ctx) {
  for (const [currencyElement, exponentElement] of [["purchaseCurrency", "purchaseExponent"], ["recurringCurrency", "recurringExponent"]]) {
    const currencyCode = m[currencyElement];
    const expected = typeof currencyCode === "string" ? currencyExponent(currencyCode) : void 0;
    const exponent = m[exponentElement];
    if (expected !== void 0 && typeof exponent === "string" && exponent !== String(expected)) {
      ctx.addIssue({ code: "custom", path: [exponentElement], message: `exponent of ${currencyCode} is ${expected}`, params: { errorCode: "304" } });
    }
  }
}
function keepApplicable(areq) {
  const kept = Object.fromEntries(Object.entries(areq).filter(([, value]) => isPresent(value)));
  const channel = String(kept.deviceChannel);
  if (!["01", "02", "03"].includes(channel)) return kept;
  for (const { channels, elements } of CHANNEL_ONLY) {
    if (!channels.includes(channel)) for (const element of elements) delete kept[element];
  }
  return kept;
}
function areqSchema(fields4, rules) {
  return z3.object(fields4).superRefine((m, ctx) => {
    checkPresence(rules, m, ctx);
    checkExponents(m, ctx);
  }, EVEN_WITH_FORMAT_ERRORS).transform(keepApplicable);
}
var AReq220 = areqSchema(fields2202, rules2202);
var AReq231 = areqSchema(fields2312, rules2312);
var DS_ADDITIONS = { elements: ["dsTransID", "dsReferenceNumber"], requiredIf: () => true };
var FROM_DS = {
  "2.2.0": areqSchema(fields2202, [...rules2202, DS_ADDITIONS]),
  "2.3.1": areqSchema(fields2312, [...rules2312, DS_ADDITIONS])
};
var AREQ_SCHEMAS = { "2.2.0": AReq220, "2.3.1": AReq231 };
function parseAReq(body, opts = {}) {
  try {
    const read = readMessage(body, "AReq");
    if (!read.ok) return read;
    const { message, messageVersion } = read;
    const schema = (opts.requireDsFields ? FROM_DS : AREQ_SCHEMAS)[messageVersion];
    const parsed = schema.safeParse(message, { reportInput: true });
    if (!parsed.success) return { ok: false, erro: erroFromIssues(parsed.error.issues, message, "AReq") };
    const areq = parsed.data;
    const critical = unrecognisedCriticalExtensions(areq.messageExtension, opts.recognisedExtensions ?? []);
    if (critical.length > 0) return { ok: false, erro: erroFor(message, "AReq", "202", critical.join(",")) };
    const excluded = ["purchaseCurrency", "recurringCurrency"].filter((e) => {
      const value = message[e];
      return typeof value === "string" && (opts.excludedCurrencies ?? []).includes(value);
    });
    if (excluded.length > 0) return { ok: false, erro: erroFor(message, "AReq", "304", excluded.join(",")) };
    return { ok: true, areq, messageVersion };
  } catch {
    return { ok: false, erro: buildErro({ errorCode: "101", errorDetail: "Message could not be validated", errorMessageType: "AReq" }) };
  }
}
function unrecognisedCriticalExtensions(extensions, recognised) {
  return (extensions ?? []).filter((x) => x.criticalityIndicator && !recognised.includes(x.id)).map((x) => x.id);
}
function requestorChallengeInd(areq) {
  const ind = areq.threeDSRequestorChallengeInd;
  if (ind === void 0) return ["01"];
  return Array.isArray(ind) ? ind : [ind];
}

// src/acs/authentication-value.ts
var RESULT_BYTE = { Y: 0, A: 7 };
var HOW_BYTE = { password: 1, sms_otp: 2, frictionless: 153 };
var KEY_INDICATOR = 1;
var FORMAT_VERSION = 1;
async function computeAuthenticationValue(key, input) {
  const header = new Uint8Array([RESULT_BYTE[input.transStatus], HOW_BYTE[input.how], KEY_INDICATOR, FORMAT_VERSION]);
  const mac = await macOver(key, header, input);
  const value = new Uint8Array(20);
  value.set(header, 0);
  value.set(mac.subarray(0, 16), 4);
  return bytesToBase64(value);
}
async function macOver(key, header, input) {
  const text3 = ["MAMORI-AV1", bytesToHex(header), input.pan, input.dsTransID.toLowerCase(), input.eci, input.purchaseAmount ?? "", input.purchaseCurrency ?? ""].join("|");
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text3)));
}

// src/acs/decide.ts
function usableMethod(cardOnFile) {
  const { member, card, cardholder } = cardOnFile;
  if (!member || member.status === "provisional") return "guidance_register";
  const phoneUsable = member.phone !== null && member.phoneStatus === "verified" && !cardholder.phoneProvisional;
  if (member.authMethod === "sms_otp") return phoneUsable ? "sms_otp" : "guidance_phone";
  if (card.brand === "mastercard") return phoneUsable ? "sms_otp" : "guidance_phone";
  return member.hasPassword ? "password" : phoneUsable ? "sms_otp" : "guidance_register";
}
function decide(input) {
  const { cardOnFile, deviceChannel } = input;
  const browser = deviceChannel === "02";
  const ind = input.threeDSRequestorChallengeInd;
  if (!cardOnFile) return { transStatus: "N", reason: "08" };
  const { card, member } = cardOnFile;
  if (card.status === "blocked_stolen") return { transStatus: "R", reason: "10" };
  if (card.status === "blocked") return { transStatus: "R", reason: "12" };
  if (card.status === "replaced") return { transStatus: "N", reason: "06" };
  if (card.expiry < input.currentYYMM) return { transStatus: "N", reason: "05" };
  const method = usableMethod(cardOnFile);
  if (method === "guidance_register") {
    return browser && input.provisionalPolicy === "challenge" && ind !== "06" ? { transStatus: "C", method, mandated: ind === "04" } : { transStatus: "N", reason: "13" };
  }
  if (member.status === "locked") return { transStatus: "N", reason: "19" };
  const risk = input.risk;
  if (risk?.decision === "reject") return { transStatus: "R", reason: "11" };
  if (ind === "06") return { transStatus: "I" };
  const wantsChallenge = !risk || risk.decision === "challenge";
  if (!wantsChallenge) return { transStatus: "Y", how: "frictionless" };
  if (!browser) {
    if (!risk) return { transStatus: "U", reason: "22" };
    return deviceChannel === "03" ? { transStatus: "N", reason: "15" } : { transStatus: "U", reason: "03" };
  }
  if (method === "sms_otp" && input.smsAvailable === false) return { transStatus: "U", reason: input.smsUnavailableReason ?? "22" };
  return { transStatus: "C", method, mandated: ind === "04" };
}

// src/acs/authenticate.ts
var CREQ_TIMEOUT_MS = 3e4;
var HOUR_MS = 60 * 60 * 1e3;
var JST_OFFSET_MS = 9 * HOUR_MS;
async function authenticate(deps2, body) {
  const parsed = parseAReq(body, { requireDsFields: true });
  if (!parsed.ok) return { kind: "Erro", message: parsed.erro };
  const areq = parsed.areq;
  try {
    return await authenticateValid(deps2, areq, body);
  } catch (error) {
    deps2.log.error("areq: system failure", { error, threeDSServerTransID: areq.threeDSServerTransID });
    return { kind: "Erro", message: erroFor2(areq, "403", "Transient system failure: please retry") };
  }
}
async function authenticateValid(deps2, areq, body) {
  const { db, clock, keys, config: config2 } = deps2;
  const now = clock.now();
  const pan = areq.acctNumber;
  const range = findBinRange(await loadBinRanges(db, now), pan);
  if (!range) return { kind: "Erro", message: erroFor2(areq, "305", "acctNumber") };
  const areqDigest = await sha256Hex(body);
  const existing = await findByIds(deps2, areq.threeDSServerTransID, areq.dsTransID);
  if (existing) return replay(areq, existing, areqDigest);
  const panHash = await panLookupHash(keys.panLookup, pan);
  const cardOnFile = await findCardOnFile(db, panHash);
  const brand = cardOnFile?.card.brand ?? range.brand;
  const risk = cardOnFile?.member ? await assessRisk(deps2, areq, cardOnFile, brand, now) : void 0;
  const decision = decide({
    deviceChannel: areq.deviceChannel,
    messageCategory: areq.messageCategory,
    cardOnFile,
    currentYYMM: yymmInJapan(now),
    threeDSRequestorChallengeInd: requestorChallengeInd(areq)[0],
    provisionalPolicy: config2.PROVISIONAL_POLICY,
    risk: risk ?? (cardOnFile?.member ? void 0 : { decision: "frictionless", score: 0, reasons: ["not assessed"] }),
    smsAvailable: await smsChallengesAvailable(deps2),
    smsUnavailableReason: config2.SMS_BREAKER_TRANS_STATUS_REASON
  });
  const acsTransID = crypto.randomUUID();
  const outcome = await outcomeFor(deps2, decision, areq, brand);
  const ares = buildARes({
    messageVersion: areq.messageVersion,
    threeDSServerTransID: areq.threeDSServerTransID,
    dsTransID: areq.dsTransID,
    acsTransID,
    acsReferenceNumber: config2.ACS_REFERENCE_NUMBER,
    acsOperatorID: config2.ACS_OPERATOR_ID,
    dsReferenceNumber: areq.dsReferenceNumber,
    sdkTransID: "sdkTransID" in areq ? areq.sdkTransID : void 0,
    ...outcome
  });
  const row = {
    acsTransID,
    threeDSServerTransID: areq.threeDSServerTransID,
    dsTransID: areq.dsTransID,
    messageVersion: areq.messageVersion,
    deviceChannel: areq.deviceChannel,
    messageCategory: areq.messageCategory,
    areqDigest,
    cardId: cardOnFile?.card.id ?? null,
    memberId: cardOnFile?.member?.id ?? null,
    panHash,
    panCipher: await encryptPan(keys.panEncryption, pan),
    panLast4: pan.slice(-4),
    brand,
    purchaseAmount: areq.purchaseAmount ?? null,
    purchaseCurrency: areq.purchaseCurrency ?? null,
    purchaseExponent: areq.purchaseExponent !== void 0 ? Number(areq.purchaseExponent) : null,
    merchantName: areq.merchantName ?? null,
    dsURL: areq.dsURL ?? null,
    notificationURL: "notificationURL" in areq ? areq.notificationURL ?? null : null,
    transStatus: ares.transStatus,
    transStatusReason: "transStatusReason" in ares ? ares.transStatusReason ?? null : null,
    eci: "eci" in ares ? ares.eci ?? null : null,
    authenticationValue: "authenticationValue" in ares ? ares.authenticationValue ?? null : null,
    challengeMethod: decision.transStatus === "C" ? decision.method : null,
    riskScore: risk?.score ?? null,
    riskReasons: risk ? JSON.stringify(risk.reasons) : null,
    state: "ares_sent",
    areq: JSON.stringify({ ...areq, acctNumber: maskPan(pan) }),
    ares: JSON.stringify(ares),
    createdAt: now,
    updatedAt: now
  };
  const insertTxn = db.insert(transactions).values(row).onConflictDoNothing().returning({ acsTransID: transactions.acsTransID });
  const [inserted] = decision.transStatus === "C" ? await db.batch([
    insertTxn,
    db.insert(timers).values({ kind: "creq_timeout", acsTransID, dueAt: now + CREQ_TIMEOUT_MS, createdAt: now }).onConflictDoNothing()
  ]) : [await insertTxn];
  if (inserted.length === 0) {
    const winner = await findByIds(deps2, areq.threeDSServerTransID, areq.dsTransID);
    if (winner) return replay(areq, winner, areqDigest);
    throw new Error("transaction neither inserted nor found");
  }
  deps2.log.info("areq", {
    acsTransID,
    brand,
    deviceChannel: areq.deviceChannel,
    messageVersion: areq.messageVersion,
    transStatus: ares.transStatus,
    transStatusReason: row.transStatusReason,
    challengeMethod: row.challengeMethod,
    riskScore: row.riskScore
  });
  return { kind: "ARes", message: ares, acsTransID, replayed: false };
}
function findByIds(deps2, threeDSServerTransID, dsTransID) {
  return deps2.db.select({ acsTransID: transactions.acsTransID, areqDigest: transactions.areqDigest, ares: transactions.ares }).from(transactions).where(and2(eq4(transactions.threeDSServerTransID, threeDSServerTransID), eq4(transactions.dsTransID, dsTransID))).get();
}
function replay(areq, existing, digest) {
  if (existing.areqDigest !== digest) {
    return { kind: "Erro", message: erroFor2(areq, "305", "threeDSServerTransID,dsTransID: already used for a different AReq") };
  }
  return { kind: "ARes", message: JSON.parse(existing.ares), acsTransID: existing.acsTransID, replayed: true };
}
async function assessRisk(deps2, areq, cardOnFile, brand, now) {
  const { db } = deps2;
  try {
    const [{ value: recent }] = await db.select({ value: count() }).from(transactions).where(and2(eq4(transactions.cardId, cardOnFile.card.id), gte(transactions.createdAt, now - HOUR_MS)));
    const methodId = ("threeDSMethodId" in areq ? areq.threeDSMethodId : void 0) ?? areq.threeDSServerTransID;
    const seen = "threeDSCompInd" in areq && areq.threeDSCompInd === "Y" ? await db.select({ data: methodData.data }).from(methodData).where(and2(eq4(methodData.threeDSServerTransID, methodId), gte(methodData.expiresAt, now))).get() : void 0;
    return await deps2.risk.assess({
      brand,
      deviceChannel: areq.deviceChannel,
      messageCategory: areq.messageCategory,
      purchaseAmount: areq.purchaseAmount !== void 0 ? Number(areq.purchaseAmount) : void 0,
      purchaseCurrency: areq.purchaseCurrency,
      purchaseExponent: areq.purchaseExponent !== void 0 ? Number(areq.purchaseExponent) : void 0,
      threeDSRequestorChallengeInd: requestorChallengeInd(areq)[0],
      threeRIInd: areq.threeRIInd,
      velocityLastHour: recent + 1,
      threeDSCompInd: "threeDSCompInd" in areq ? areq.threeDSCompInd : void 0,
      browserSeen: seen ? JSON.parse(seen.data) : void 0,
      merchantCountryCode: areq.merchantCountryCode,
      mcc: areq.mcc
    });
  } catch (error) {
    deps2.log.error("risk assessment failed", { error, provider: deps2.risk.name });
    return void 0;
  }
}
async function outcomeFor(deps2, decision, areq, brand) {
  switch (decision.transStatus) {
    case "Y": {
      const eci = eciFor(brand, "Y");
      const authenticationValue = await computeAuthenticationValue(deps2.keys.authValue, {
        transStatus: "Y",
        how: decision.how,
        pan: areq.acctNumber,
        dsTransID: areq.dsTransID,
        eci,
        purchaseAmount: areq.purchaseAmount,
        purchaseCurrency: areq.purchaseCurrency
      });
      return { transStatus: "Y", eci, authenticationValue };
    }
    case "I":
      return { transStatus: "I", eci: eciFor(brand, "I") };
    case "C":
      return {
        transStatus: "C",
        acsURL: `${deps2.config.PUBLIC_URL}/3ds/challenge`,
        acsChallengeMandated: decision.mandated ? "Y" : "N",
        authenticationType: decision.method === "password" ? "01" : "02"
      };
    default:
      return { transStatus: decision.transStatus, transStatusReason: decision.reason };
  }
}
function erroFor2(areq, errorCode, errorDetail) {
  return buildErro({
    errorCode,
    errorDetail,
    errorMessageType: "AReq",
    messageVersion: areq.messageVersion,
    threeDSServerTransID: areq.threeDSServerTransID,
    dsTransID: areq.dsTransID
  });
}
function yymmInJapan(now) {
  const d = new Date(now + JST_OFFSET_MS);
  return String(d.getUTCFullYear() % 100).padStart(2, "0") + String(d.getUTCMonth() + 1).padStart(2, "0");
}

// src/acs/ds-auth.ts
function clientCertificateVerdict(c) {
  const cf = c.req.raw.cf;
  if (cf?.tlsClientAuth) {
    const { certVerified, certPresented } = cf.tlsClientAuth;
    if (certVerified === "SUCCESS") return { verified: true };
    return { verified: false, reason: certPresented === "1" ? `certVerified ${certVerified ?? "missing"}` : "no client certificate presented" };
  }
  const socket = c.env?.incoming?.socket;
  if (socket?.encrypted !== true) return { verified: false, reason: "no client certificate check on this connection (plain HTTP, or mTLS not enabled for the host)" };
  if (socket.authorized === true) return { verified: true };
  const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
  if (!presented) return { verified: false, reason: "no client certificate presented" };
  return { verified: false, reason: String(socket.authorizationError ?? "client certificate not verified") };
}
function requireDsClientCertificate() {
  return async (c, next) => {
    if (!c.get("deps").config.MTLS_REQUIRED) return next();
    const verdict = clientCertificateVerdict(c);
    if (verdict.verified) return next();
    c.get("deps").log.warn("areq refused: no verified DS client certificate", { path: c.req.path, reason: verdict.reason });
    const ids = await messageIds(c);
    const erro = buildErro({ errorCode: "303", errorDetail: "client certificate", errorMessageType: "AReq", ...ids });
    return c.body(JSON.stringify(erro), 200, { "content-type": "application/json; charset=utf-8" });
  };
}
async function messageIds(c) {
  try {
    const body = JSON.parse(await c.req.text());
    if (!body || typeof body !== "object") return {};
    const { messageVersion, threeDSServerTransID, dsTransID } = body;
    return { messageVersion, threeDSServerTransID, dsTransID };
  } catch {
    return {};
  }
}

// src/acs/method.tsx
import { Hono } from "hono";
import { and as and3, eq as eq5, gte as gte2 } from "drizzle-orm";

// views/method.tsx
import { jsx as jsx4 } from "hono/jsx/jsx-runtime";
function MethodPage(props) {
  return /* @__PURE__ */ jsx4(Page, { title: "3DS Method", htmx: false, framed: true, scripts: ["/static/js/method.js"], children: /* @__PURE__ */ jsx4(
    "form",
    {
      id: "notify",
      method: "post",
      action: props.notificationURL,
      "data-collect": "/3ds/method/collect",
      "data-trans-id": props.threeDSServerTransID,
      "data-token": props.token,
      children: /* @__PURE__ */ jsx4("input", { type: "hidden", name: "threeDSMethodData", value: props.threeDSMethodData })
    }
  ) });
}

// src/protocol/method.ts
import { z as z4 } from "zod";

// src/protocol/base64url.ts
var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
var SEXTET = Object.fromEntries([
  ...[...ALPHABET].map((ch, i) => [ch, i]),
  ["+", 62],
  ["/", 63]
]);
function encodeBase64Url(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = bytes[i] << 16 | (bytes[i + 1] ?? 0) << 8 | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil((bytes.length - i) * 8 / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[n >> 18 - 6 * k & 63];
  }
  return out;
}
function decodeBase64Url(text3) {
  const compact = text3.replace(/\s+/g, "");
  const unpadded = compact.replace(/={1,2}$/, "");
  if (unpadded.length !== compact.length && compact.length % 4 !== 0) return null;
  if (unpadded.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor(unpadded.length * 6 / 8));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (const ch of unpadded) {
    if (!Object.hasOwn(SEXTET, ch)) return null;
    const sextet = SEXTET[ch];
    buffer = (buffer << 6 | sextet) & 16777215;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = buffer >> bits & 255;
    }
  }
  return bytes;
}
function encodeTextBase64Url(text3) {
  return encodeBase64Url(new TextEncoder().encode(text3));
}
function decodeTextBase64Url(text3) {
  const bytes = decodeBase64Url(text3);
  if (bytes === null) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}
function encodeJsonBase64Url(value) {
  return encodeTextBase64Url(JSON.stringify(value));
}
function decodeJsonBase64Url(text3) {
  const json = decodeTextBase64Url(text3);
  if (json === null) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(json), json };
  } catch {
    return { ok: false };
  }
}

// src/protocol/method.ts
var ThreeDSMethodData = z4.object({
  threeDSServerTransID: required(uuid),
  threeDSMethodNotificationURL: required(url(2048))
});
function parseThreeDSMethodData(field) {
  const decoded = decodeJsonBase64Url(field);
  if (!decoded.ok) return { ok: false, error: "threeDSMethodData is not base64url-encoded JSON" };
  const parsed = ThreeDSMethodData.safeParse(decoded.value);
  if (!parsed.success) {
    const elements = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "threeDSMethodData"))];
    return { ok: false, error: `invalid ${elements.join(",")}` };
  }
  return { ok: true, data: parsed.data };
}

// src/acs/method.tsx
var METHOD_DATA_KEEP_MS = 15 * 60 * 1e3;
var MAX_PROPS_LENGTH = 4096;
var BROWSER_PROPS = {
  screenWidth: "number",
  screenHeight: "number",
  colorDepth: "number",
  devicePixelRatio: "number",
  timeZone: "string",
  timeZoneOffset: "number",
  language: "string",
  languages: "strings",
  platform: "string",
  mobile: "boolean",
  hardwareConcurrency: "number",
  maxTouchPoints: "number",
  cookieEnabled: "boolean"
};
var threeDSMethod = new Hono();
threeDSMethod.post("/3ds/method", async (c) => {
  const deps2 = c.get("deps");
  const form = await c.req.parseBody().catch(() => ({}));
  const field = typeof form.threeDSMethodData === "string" ? form.threeDSMethodData : "";
  const parsed = parseThreeDSMethodData(field);
  if (!parsed.ok) {
    deps2.log.warn("3ds method: invalid threeDSMethodData", { reason: parsed.error });
    return c.text("invalid threeDSMethodData", 400);
  }
  const { threeDSServerTransID, threeDSMethodNotificationURL } = parsed.data;
  await storeMethodData(deps2, threeDSServerTransID, {
    userAgent: c.req.header("user-agent"),
    acceptLanguage: c.req.header("accept-language"),
    ip: c.req.header("cf-connecting-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0]?.trim()
  });
  return c.html(
    MethodPage({
      notificationURL: threeDSMethodNotificationURL,
      // Exactly as given (it carries the threeDSServerTransID the 3DS Server looks for, Req 264).
      threeDSMethodData: field,
      threeDSServerTransID,
      token: await collectToken(deps2, threeDSServerTransID)
    })
  );
});
threeDSMethod.post("/3ds/method/collect", async (c) => {
  const deps2 = c.get("deps");
  const form = await c.req.parseBody().catch(() => ({}));
  const id = String(form.threeDSServerTransID ?? "");
  const token = String(form.token ?? "");
  const props = String(form.props ?? "");
  if (!timingSafeEqual(token, await collectToken(deps2, id)) || props.length > MAX_PROPS_LENGTH) return c.body(null, 400);
  const seen = browserProps(props);
  if (!seen) return c.body(null, 400);
  if (!await findLiveMethodData(deps2, id)) return c.body(null, 404);
  await storeMethodData(deps2, id, seen);
  return c.body(null, 204);
});
function browserProps(json) {
  let value;
  try {
    value = JSON.parse(json);
  } catch {
    return void 0;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return void 0;
  const out = {};
  for (const [key, type] of Object.entries(BROWSER_PROPS)) {
    const v = value[key];
    const fits = type === "strings" ? Array.isArray(v) && v.length <= 10 && v.every((s) => typeof s === "string" && s.length <= 64) : typeof v === type && (type !== "string" || v.length <= 128) && (type !== "number" || Number.isFinite(v));
    if (fits) out[key] = v;
  }
  return out;
}
function findLiveMethodData(deps2, threeDSServerTransID) {
  return deps2.db.select({ data: methodData.data }).from(methodData).where(and3(eq5(methodData.threeDSServerTransID, threeDSServerTransID), gte2(methodData.expiresAt, deps2.clock.now()))).get();
}
async function storeMethodData(deps2, threeDSServerTransID, observed) {
  const now = deps2.clock.now();
  const existing = await findLiveMethodData(deps2, threeDSServerTransID);
  const data = JSON.stringify({ ...existing ? JSON.parse(existing.data) : {}, ...observed });
  await deps2.db.insert(methodData).values({ threeDSServerTransID, data, createdAt: now, expiresAt: now + METHOD_DATA_KEEP_MS }).onConflictDoUpdate({ target: methodData.threeDSServerTransID, set: { data, expiresAt: now + METHOD_DATA_KEEP_MS } });
}
function collectToken(deps2, threeDSServerTransID) {
  return hmacHex(deps2.keys.session, `3ds-method|${threeDSServerTransID}`);
}

// src/acs/routes.ts
var JSON_UTF8 = { "content-type": "application/json; charset=utf-8" };
var acsRoutes = new Hono2();
acsRoutes.post("/3ds/areq", requireDsClientCertificate(), async (c) => {
  let body;
  try {
    body = await c.req.text();
  } catch {
    const erro = buildErro({ errorCode: "101", errorDetail: "body could not be read", errorMessageType: "AReq" });
    return c.body(JSON.stringify(erro), 200, JSON_UTF8);
  }
  const answer = await authenticate(c.get("deps"), body);
  if (answer.kind === "Erro") {
    c.get("deps").log.warn("areq refused", { errorCode: answer.message.errorCode, errorDetail: answer.message.errorDetail });
    return c.body(JSON.stringify(answer.message), 200, JSON_UTF8);
  }
  return c.body(JSON.stringify(answer.message), 200, { ...JSON_UTF8, "x-response-id": answer.acsTransID });
});
acsRoutes.route("/", threeDSMethod);

// src/challenge/routes.tsx
import { and as and11, eq as eq16, sql as sql6 } from "drizzle-orm";
import { Hono as Hono3 } from "hono";

// views/challenge/page.tsx
import { Fragment as Fragment2, jsx as jsx5, jsxs as jsxs4 } from "hono/jsx/jsx-runtime";
var BRAND_NAMES = { jcb: "J/Secure", visa: "Visa Secure", mastercard: "Mastercard Identity Check" };
function ChallengeShell(props) {
  const { t, branding } = props;
  return /* @__PURE__ */ jsx5(Page, { title: `${t.title} \u2014 ${branding.issuerName}`, lang: props.lang, framed: true, scripts: ["/static/js/challenge.js"], children: /* @__PURE__ */ jsxs4("div", { class: `challenge size-${props.windowSize ?? "05"}`, children: [
    /* @__PURE__ */ jsxs4("header", { class: "branding", children: [
      /* @__PURE__ */ jsx5("img", { class: "issuer-logo", src: branding.issuerLogo, alt: `${branding.issuerName} logo`, height: "32" }),
      branding.brandMark ? /* @__PURE__ */ jsx5("img", { class: "brand-mark", src: branding.brandMark, alt: BRAND_NAMES[branding.brand], height: "32" }) : /* @__PURE__ */ jsx5("span", { class: `brand-mark text-mark ${branding.brand}`, children: BRAND_NAMES[branding.brand] })
    ] }),
    props.children
  ] }) });
}
function PurchaseSummary({ t, purchase }) {
  return /* @__PURE__ */ jsxs4("dl", { class: "purchase", children: [
    /* @__PURE__ */ jsxs4("div", { children: [
      /* @__PURE__ */ jsx5("dt", { children: t.merchant }),
      /* @__PURE__ */ jsx5("dd", { children: purchase.merchant })
    ] }),
    /* @__PURE__ */ jsxs4("div", { children: [
      /* @__PURE__ */ jsx5("dt", { children: t.amount }),
      /* @__PURE__ */ jsx5("dd", { class: "amount", children: purchase.amount })
    ] }),
    purchase.date && /* @__PURE__ */ jsxs4("div", { children: [
      /* @__PURE__ */ jsx5("dt", { children: t.date }),
      /* @__PURE__ */ jsx5("dd", { children: purchase.date })
    ] }),
    /* @__PURE__ */ jsxs4("div", { children: [
      /* @__PURE__ */ jsx5("dt", { children: t.card }),
      /* @__PURE__ */ jsx5("dd", { children: t.cardEnding(purchase.last4) })
    ] })
  ] });
}
function ChallengeForm(p) {
  const { t } = p;
  const isOtp = p.method === "sms_otp";
  const hx = { "hx-target": "#challenge", "hx-select": "#challenge", "hx-swap": "outerHTML", "hx-disabled-elt": "find button" };
  return /* @__PURE__ */ jsxs4("main", { id: "challenge", class: "challenge-main", children: [
    /* @__PURE__ */ jsx5("h1", { children: t.heading }),
    /* @__PURE__ */ jsx5("p", { children: isOtp ? t.intro : t.introPassword }),
    p.personalMessage && /* @__PURE__ */ jsxs4("section", { class: "personal-message", "aria-labelledby": "pm-label", children: [
      /* @__PURE__ */ jsx5("p", { id: "pm-label", class: "label", children: t.personalMessage }),
      /* @__PURE__ */ jsx5("p", { class: "message", children: p.personalMessage }),
      /* @__PURE__ */ jsx5("p", { class: "hint", children: t.personalMessageHint })
    ] }),
    /* @__PURE__ */ jsxs4("div", { id: "status", role: "status", "aria-live": "assertive", "aria-atomic": "true", children: [
      p.error && /* @__PURE__ */ jsxs4("div", { class: "alert", children: [
        /* @__PURE__ */ jsx5("p", { children: p.error }),
        p.remaining !== void 0 && p.remaining > 0 && /* @__PURE__ */ jsx5("p", { children: t.remaining(p.remaining) })
      ] }),
      !p.error && p.notice && /* @__PURE__ */ jsx5("p", { class: "success", children: p.notice })
    ] }),
    isOtp && p.phoneMasked && /* @__PURE__ */ jsx5("p", { class: "sent-to", children: t.sentTo(p.phoneMasked) }),
    /* @__PURE__ */ jsxs4("form", { method: "post", action: "/3ds/challenge/submit", "hx-post": "/3ds/challenge/submit", ...hx, novalidate: true, children: [
      /* @__PURE__ */ jsx5("input", { type: "hidden", name: "state", value: p.state }),
      /* @__PURE__ */ jsx5("label", { for: "memberId", children: t.memberId }),
      /* @__PURE__ */ jsx5(
        "input",
        {
          id: "memberId",
          name: "memberId",
          type: "text",
          autocomplete: "username",
          autocapitalize: "none",
          spellcheck: false,
          required: true,
          maxlength: 64,
          value: p.memberId ?? "",
          autofocus: !p.memberId,
          "aria-invalid": p.error ? "true" : void 0,
          "aria-describedby": p.error ? "status" : void 0
        }
      ),
      isOtp ? /* @__PURE__ */ jsxs4(Fragment2, { children: [
        /* @__PURE__ */ jsx5("label", { for: "secret", children: t.otp }),
        /* @__PURE__ */ jsx5(
          "input",
          {
            id: "secret",
            name: "secret",
            type: "text",
            inputmode: "numeric",
            pattern: "[0-9]*",
            autocomplete: "one-time-code",
            maxlength: 6,
            required: true,
            autofocus: !!p.memberId,
            "aria-invalid": p.error ? "true" : void 0
          }
        )
      ] }) : /* @__PURE__ */ jsxs4(Fragment2, { children: [
        /* @__PURE__ */ jsx5("label", { for: "secret", children: t.password }),
        /* @__PURE__ */ jsx5("input", { id: "secret", name: "secret", type: "password", autocomplete: "current-password", maxlength: 128, required: true, autofocus: !!p.memberId, "aria-invalid": p.error ? "true" : void 0 })
      ] }),
      /* @__PURE__ */ jsx5("button", { type: "submit", class: "primary", children: t.submit })
    ] }),
    /* @__PURE__ */ jsxs4("div", { class: "secondary-actions", children: [
      isOtp && /* @__PURE__ */ jsxs4("form", { method: "post", action: "/3ds/challenge/resend", "hx-post": "/3ds/challenge/resend", ...hx, children: [
        /* @__PURE__ */ jsx5("input", { type: "hidden", name: "state", value: p.state }),
        /* @__PURE__ */ jsx5("button", { type: "submit", class: "secondary", children: t.resend })
      ] }),
      /* @__PURE__ */ jsxs4("form", { method: "post", action: "/3ds/challenge/cancel", "hx-post": "/3ds/challenge/cancel", ...hx, children: [
        /* @__PURE__ */ jsx5("input", { type: "hidden", name: "state", value: p.state }),
        /* @__PURE__ */ jsx5("button", { type: "submit", class: "secondary", children: t.cancel })
      ] }),
      /* @__PURE__ */ jsx5(LanguageSwitch, { t, state: p.state })
    ] }),
    /* @__PURE__ */ jsx5(Help, { t, issuerPhone: p.issuerPhone, otp: isOtp })
  ] });
}
function LanguageSwitch({ t, state }) {
  return (
    // A whole-page post: the document's lang changes with it.
    /* @__PURE__ */ jsxs4("form", { method: "post", action: "/3ds/challenge/language", children: [
      /* @__PURE__ */ jsx5("input", { type: "hidden", name: "state", value: state }),
      /* @__PURE__ */ jsx5("button", { type: "submit", class: "link", lang: t.switchLanguage === "English" ? "en" : "ja", children: t.switchLanguage })
    ] })
  );
}
function Help({ t, issuerPhone, otp = false }) {
  return /* @__PURE__ */ jsxs4("details", { class: "help", children: [
    /* @__PURE__ */ jsx5("summary", { children: t.helpSummary }),
    /* @__PURE__ */ jsx5("p", { children: t.helpWhy }),
    otp && /* @__PURE__ */ jsx5("p", { children: t.helpNoCode }),
    /* @__PURE__ */ jsx5("p", { children: t.helpCall(issuerPhone) })
  ] });
}
function Ending(props) {
  const { t, post } = props;
  return /* @__PURE__ */ jsxs4("main", { id: "challenge", class: "challenge-main ending", children: [
    /* @__PURE__ */ jsx5("h1", { children: props.heading }),
    /* @__PURE__ */ jsxs4("div", { role: "status", "aria-live": "assertive", children: [
      props.text && /* @__PURE__ */ jsx5("p", { children: props.text }),
      post && props.auto && /* @__PURE__ */ jsx5("p", { class: "muted", children: t.continueToShop })
    ] }),
    post && /* @__PURE__ */ jsxs4("form", { method: "post", action: post.notificationURL, "data-autosubmit": props.auto ? "true" : void 0, id: "cres-form", children: [
      /* @__PURE__ */ jsx5("input", { type: "hidden", name: "cres", value: post.cres }),
      post.threeDSSessionData !== void 0 && /* @__PURE__ */ jsx5("input", { type: "hidden", name: "threeDSSessionData", value: post.threeDSSessionData }),
      props.auto ? /* @__PURE__ */ jsx5("noscript", { children: /* @__PURE__ */ jsx5("button", { type: "submit", class: "primary", children: t.returnToShop }) }) : /* @__PURE__ */ jsx5("button", { type: "submit", class: "primary", children: t.returnToShop })
    ] }),
    props.issuerPhone && /* @__PURE__ */ jsx5(Help, { t, issuerPhone: props.issuerPhone })
  ] });
}

// src/acs/timers.ts
import { and as and4, eq as eq6, isNull, lt, lte as lte2, or as or2, sql as sql2 } from "drizzle-orm";
var CLAIM_MS = 6e4;
async function scheduleTimer(deps2, kind, acsTransID, dueAt, reschedule = false) {
  await deps2.db.insert(timers).values({ kind, acsTransID, dueAt, createdAt: deps2.clock.now() }).onConflictDoUpdate({
    target: [timers.kind, timers.acsTransID],
    set: reschedule ? { dueAt, doneAt: null } : { kind }
  });
}
async function cancelTimer(deps2, kind, acsTransID) {
  await deps2.db.update(timers).set({ doneAt: deps2.clock.now() }).where(and4(eq6(timers.kind, kind), eq6(timers.acsTransID, acsTransID), isNull(timers.doneAt)));
}
async function sweepTimers(deps2, handlers, limit = 100) {
  const due = await deps2.db.select().from(timers).where(claimable(deps2.clock.now())).orderBy(timers.dueAt).limit(limit);
  let ran = 0;
  for (const timer of due) {
    if (await runClaimed(deps2, timer, handlers[timer.kind], { onlyWhenDue: true })) ran++;
  }
  return ran;
}
async function runClaimed(deps2, timer, handler, options = {}) {
  const claimed = await claim(deps2, timer.id, options.onlyWhenDue ?? false);
  if (!claimed) return false;
  await settle(deps2, claimed, await run(deps2, claimed, handler));
  return true;
}
function claimable(now, onlyWhenDue = true) {
  const free = and4(isNull(timers.doneAt), or2(isNull(timers.claimedUntil), lt(timers.claimedUntil, now)));
  return onlyWhenDue ? and4(free, lte2(timers.dueAt, now)) : free;
}
async function claim(deps2, id, onlyWhenDue) {
  const now = deps2.clock.now();
  const [claimed] = await deps2.db.update(timers).set({ claimedUntil: now + CLAIM_MS }).where(and4(eq6(timers.id, id), claimable(now, onlyWhenDue))).returning();
  return claimed;
}
async function run(deps2, timer, handler) {
  const retry = (error) => ({ retryAt: deps2.clock.now() + backoffMs(timer.attempts + 1), error });
  if (!handler) {
    deps2.log.error("timer has no handler", { kind: timer.kind, acsTransID: timer.acsTransID });
    return retry(`no handler for ${timer.kind}`);
  }
  try {
    return await handler(deps2, timer);
  } catch (error) {
    deps2.log.error("timer failed", { kind: timer.kind, acsTransID: timer.acsTransID, error });
    return retry(String(error instanceof Error ? error.message : error));
  }
}
async function settle(deps2, timer, outcome) {
  const set = "done" in outcome ? { doneAt: deps2.clock.now(), claimedUntil: null } : { dueAt: outcome.retryAt, attempts: sql2`${timers.attempts} + 1`, claimedUntil: null, lastError: outcome.error ?? null };
  await deps2.db.update(timers).set(set).where(eq6(timers.id, timer.id));
}
function backoffMs(attempt) {
  return Math.min(1e4 * 2 ** Math.max(0, attempt - 1), 6e5);
}

// src/acs/transactions.ts
import { and as and5, eq as eq7, inArray } from "drizzle-orm";
var TRANSITIONS = {
  ares_sent: ["challenge_started", "expired", "failed"],
  challenge_started: ["completed", "failed", "cancelled", "expired"],
  completed: ["rreq_delivered"],
  failed: ["rreq_delivered"],
  cancelled: ["rreq_delivered"],
  expired: ["rreq_delivered"],
  rreq_delivered: []
};
function sourcesOf(to) {
  return Object.keys(TRANSITIONS).filter((from) => TRANSITIONS[from].includes(to));
}
async function findTransaction(db, acsTransID) {
  const [row] = await db.select().from(transactions).where(eq7(transactions.acsTransID, acsTransID)).limit(1);
  return row;
}
async function transition(db, acsTransID, to, now, patch = {}, from = sourcesOf(to)) {
  const moved = await db.update(transactions).set({ ...patch, state: to, updatedAt: now }).where(and5(eq7(transactions.acsTransID, acsTransID), inArray(transactions.state, from))).returning({ acsTransID: transactions.acsTransID });
  return moved.length === 1;
}
function recordMessage(db, acsTransID, direction, messageType, body, now) {
  return db.insert(transactionMessages).values({ acsTransID, direction, messageType, body: typeof body === "string" ? body : JSON.stringify(body), createdAt: now });
}

// src/messaging/client-ip.ts
function clientIp(c) {
  const header = c.get("deps").config.CLIENT_IP_HEADER;
  if (header) {
    const entries = (c.req.header(header) ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    return entries.at(-1);
  }
  const env = c.env;
  return env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname ?? void 0;
}

// src/protocol/creq.ts
import { z as z5 } from "zod";
var fields = {
  messageType: required(z5.literal("CReq")),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  challengeWindowSize: required(z5.enum(["01", "02", "03", "04", "05"])),
  // app channel only
  sdkTransID: optional(uuid),
  sdkCounterStoA: optional(digits(3, 3)),
  challengeDataEntry: optional(text(45)),
  challengeHTMLDataEntry: optional(text(256)),
  challengeNoEntry: optional(z5.literal("Y")),
  resendChallenge: optional(z5.enum(["Y", "N"]))
};
var CReq220 = z5.object({
  ...fields,
  messageVersion: required(z5.literal("2.2.0")),
  messageExtension: optional(messageExtensions(10)),
  challengeCancel: optional(code("01", "03-08", "80-99"))
});
var CReq231 = z5.object({
  ...fields,
  messageVersion: required(z5.literal("2.3.1")),
  messageExtension: optional(messageExtensions(15)),
  challengeCancel: optional(code("01", "03-10", "80-99"))
});
var CREQ_SCHEMAS = { "2.2.0": CReq220, "2.3.1": CReq231 };
function decodeCReq(creq) {
  const json = decodeTextBase64Url(creq);
  if (json === null) return { ok: false, erro: buildErro({ errorCode: "101", errorDetail: "creq is not base64url-encoded UTF-8", errorMessageType: "CReq" }) };
  return validate(() => readMessage(json, "CReq"));
}
function validate(check) {
  try {
    const checked = check();
    if (!checked.ok) return checked;
    const parsed = CREQ_SCHEMAS[checked.messageVersion].safeParse(checked.message, { reportInput: true });
    if (!parsed.success) return { ok: false, erro: erroFromIssues(parsed.error.issues, checked.message, "CReq") };
    return { ok: true, creq: parsed.data, messageVersion: checked.messageVersion };
  } catch {
    return { ok: false, erro: buildErro({ errorCode: "101", errorDetail: "Message could not be validated", errorMessageType: "CReq" }) };
  }
}

// src/challenge/attempts.ts
import { and as and6, eq as eq8, sql as sql3 } from "drizzle-orm";
async function claimAttempt(db, memberId, limit, now) {
  const [row] = await db.update(members).set({ failedAttempts: sql3`${members.failedAttempts} + 1`, updatedAt: now }).where(eq8(members.id, memberId)).returning({ count: members.failedAttempts, status: members.status });
  if (!row) return { allowed: false, count: 0 };
  return { allowed: row.status === "active" && row.count <= limit, count: row.count };
}
async function clearAttempts(db, memberId, now) {
  await db.update(members).set({ failedAttempts: 0, updatedAt: now }).where(and6(eq8(members.id, memberId), eq8(members.status, "active")));
}
async function lockMember(db, memberId, now) {
  const locked = await db.update(members).set({ status: "locked", lockedAt: now, updatedAt: now }).where(and6(eq8(members.id, memberId), eq8(members.status, "active"))).returning({ id: members.id });
  return locked.length === 1;
}

// src/challenge/context.ts
import { eq as eq9 } from "drizzle-orm";
async function loadContext(deps2, acsTransID, lang, threeDSSessionData) {
  const txn = await findTransaction(deps2.db, acsTransID);
  if (!txn) return void 0;
  const [member, challenge] = await Promise.all([
    txn.memberId === null ? void 0 : deps2.db.select().from(members).where(eq9(members.id, txn.memberId)).get(),
    deps2.db.select().from(challenges).where(eq9(challenges.acsTransID, acsTransID)).get()
  ]);
  return { txn, areq: JSON.parse(txn.areq), member, challenge, lang, threeDSSessionData };
}

// src/challenge/finish.ts
import { eq as eq12 } from "drizzle-orm";

// src/acs/deliver-now.ts
import { and as and8, eq as eq11 } from "drizzle-orm";

// src/acs/rreq.ts
import { and as and7, desc, eq as eq10 } from "drizzle-orm";

// src/protocol/rreq.ts
import { z as z6 } from "zod";
var fields2203 = {
  messageType: required(z6.literal("RReq")),
  messageVersion: required(z6.literal("2.2.0")),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  dsTransID: required(uuid),
  sdkTransID: optional(uuid),
  messageCategory: required(code("01", "02", "80-99")),
  transStatus: required(z6.enum(["Y", "N", "U", "A", "R"])),
  transStatusReason: optional(code("01-26", "80-99")),
  authenticationType: optional(code("01-04", "80-99")),
  authenticationValue: optional(z6.string().length(28).regex(/^[a-zA-Z0-9+/]{26,28}={0,2}$/)),
  eci: optional(text(2)),
  interactionCounter: optional(numericInRange(2, 2, 0, 99)),
  challengeCancel: optional(code("01", "03-08", "80-99")),
  acsRenderingType: optional(acsRenderingType),
  messageExtension: optional(messageExtensions(10)),
  whiteListStatus: optional(z6.enum(["Y", "N", "E", "P", "R", "U"])),
  whiteListStatusSource: optional(code("01", "02", "03", "80-99"))
};
var { whiteListStatus: whiteListStatus3, whiteListStatusSource: whiteListStatusSource3, authenticationType: authenticationType2, ...kept2203 } = fields2203;
var fields2313 = {
  ...kept2203,
  messageVersion: required(z6.literal("2.3.1")),
  transStatusReason: optional(code("01-30", "80-99")),
  transStatusReasonInfo: optional(text(256)),
  authenticationMethod: optional(z6.array(code("01-16", "80-99")).max(99)),
  authenticationValue: optional(text(4e3)),
  cardholderInfo: optional(z6.object({ text: required(text(128)) })),
  challengeCancel: optional(code("01", "03-10", "80-99")),
  challengeErrorReporting: optional(jsonObject(8192)),
  messageExtension: optional(messageExtensions(15)),
  trustListStatus: optional(z6.enum(["Y", "N", "E", "P", "R", "U"])),
  trustListStatusSource: optional(code("01", "02", "03", "80-99")),
  deviceBindingStatus: optional(code("01-99")),
  deviceBindingStatusSource: optional(code("01", "02", "03", "80-99"))
};
var isPayment2 = (m) => m.messageCategory === "01";
var commonRules3 = [
  { elements: ["transStatusReason"], requiredIf: (m) => isPayment2(m) && oneOf(m.transStatus, ["N", "U", "R"]) },
  { elements: ["authenticationValue"], requiredIf: (m) => isPayment2(m) && oneOf(m.transStatus, ["Y", "A"]) },
  // A timeout at the ACS (reason 14) must say which one (challengeCancel 04 or 05).
  { elements: ["challengeCancel"], requiredIf: (m) => m.transStatusReason === "14" }
];
var rules2203 = [
  ...commonRules3,
  { elements: ["authenticationType"], requiredIf: (m) => oneOf(m.transStatus, ["Y", "N"]) },
  { elements: ["interactionCounter"], requiredIf: (m) => m.authenticationType !== "04" },
  // not for decoupled
  { elements: ["whiteListStatusSource"], requiredIf: (m) => isPresent(m.whiteListStatus), onlyThen: true }
];
var rules2313 = [
  ...commonRules3,
  { elements: ["authenticationMethod"], requiredIf: (m) => oneOf(m.transStatus, ["Y", "N"]) },
  { elements: ["interactionCounter"], requiredIf: (m) => !(Array.isArray(m.authenticationMethod) && m.authenticationMethod.includes("12")) },
  { elements: ["challengeErrorReporting"], requiredIf: (m) => oneOf(m.challengeCancel, ["09", "10"]) },
  { elements: ["trustListStatusSource"], requiredIf: (m) => isPresent(m.trustListStatus), onlyThen: true },
  { elements: ["deviceBindingStatusSource"], requiredIf: (m) => isPresent(m.deviceBindingStatus), onlyThen: true }
];
var RReq220 = z6.object(fields2203).superRefine((m, ctx) => checkPresence(rules2203, m, ctx), EVEN_WITH_FORMAT_ERRORS);
var RReq231 = z6.object(fields2313).superRefine((m, ctx) => checkPresence(rules2313, m, ctx), EVEN_WITH_FORMAT_ERRORS);
var RREQ_SCHEMAS = { "2.2.0": RReq220, "2.3.1": RReq231 };
function buildRReq(input) {
  const is231 = input.messageVersion === "2.3.1";
  const rreq = {
    messageType: "RReq",
    messageVersion: input.messageVersion,
    threeDSServerTransID: input.threeDSServerTransID,
    acsTransID: input.acsTransID,
    dsTransID: input.dsTransID,
    sdkTransID: input.sdkTransID,
    messageCategory: input.messageCategory,
    transStatus: input.transStatus,
    interactionCounter: String(input.interactionCounter).padStart(2, "0"),
    challengeCancel: input.challengeCancel,
    eci: input.eci,
    messageExtension: input.messageExtension
  };
  if ("transStatusReason" in input) rreq.transStatusReason = input.transStatusReason;
  if ("authenticationValue" in input) rreq.authenticationValue = input.authenticationValue;
  if ("authenticationType" in input) {
    if (is231) rreq.authenticationMethod = input.authenticationMethod ?? [AUTHENTICATION_METHOD_FOR_TYPE[input.authenticationType]];
    else rreq.authenticationType = input.authenticationType;
  }
  if (is231) {
    rreq.transStatusReasonInfo = input.transStatusReasonInfo;
    rreq.challengeErrorReporting = input.challengeErrorReporting;
  }
  return RREQ_SCHEMAS[input.messageVersion].parse(withoutUndefined(rreq));
}

// src/protocol/rres.ts
import { z as z8 } from "zod";

// src/protocol/erro.ts
import { z as z7 } from "zod";
var erroFields = {
  threeDSServerTransID: optional(uuid),
  // required "if available"
  dsTransID: optional(uuid),
  acsTransID: optional(uuid),
  sdkTransID: optional(uuid),
  errorCode: required(z7.string().regex(/^\d{3}$/)),
  errorComponent: required(z7.enum(["C", "S", "D", "A"])),
  errorDescription: required(text(2048)),
  errorDetail: required(text(2048)),
  errorMessageType: optional(z7.enum(MESSAGE_TYPES)),
  messageType: required(z7.literal("Erro"))
};
var Erro220 = z7.object({ ...erroFields, messageVersion: required(z7.literal("2.2.0")) });
var Erro231 = z7.object({ ...erroFields, messageVersion: required(z7.literal("2.3.1")) });
var ERRO_SCHEMAS = { "2.2.0": Erro220, "2.3.1": Erro231 };

// src/protocol/rres.ts
var fields2 = {
  messageType: required(z8.literal("RRes")),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  dsTransID: required(uuid),
  sdkTransID: optional(uuid)
};
var RRes220 = z8.object({
  ...fields2,
  messageVersion: required(z8.literal("2.2.0")),
  resultsStatus: required(code("01-03", "80-99")),
  messageExtension: optional(messageExtensions(10))
});
var RRes231 = z8.object({
  ...fields2,
  messageVersion: required(z8.literal("2.3.1")),
  resultsStatus: required(code("01-04", "80-99")),
  messageExtension: optional(messageExtensions(15))
});
var RRES_SCHEMAS = { "2.2.0": RRes220, "2.3.1": RRes231 };
function parseRRes(body) {
  try {
    const dsErro = asErro(body);
    if (dsErro) return { ok: false, erro: dsErro, fromDs: true };
    const read = readMessage(body, "RRes");
    if (!read.ok) return { ok: false, fromDs: false, erro: read.erro };
    const parsed = RRES_SCHEMAS[read.messageVersion].safeParse(read.message, { reportInput: true });
    if (!parsed.success) return { ok: false, erro: erroFromIssues(parsed.error.issues, read.message, "RRes"), fromDs: false };
    return { ok: true, rres: parsed.data, messageVersion: read.messageVersion };
  } catch {
    const erro = buildErro({ errorCode: "101", errorDetail: "Message could not be validated", errorMessageType: "RRes" });
    return { ok: false, erro, fromDs: false };
  }
}
function asErro(body) {
  let value;
  try {
    value = JSON.parse(body);
  } catch {
    return void 0;
  }
  if (typeof value !== "object" || value === null || value.messageType !== "Erro") return void 0;
  const version = value.messageVersion;
  if (!isSupportedVersion(version)) return void 0;
  const parsed = ERRO_SCHEMAS[version].safeParse(value);
  return parsed.success ? parsed.data : void 0;
}

// src/acs/ds-url.ts
function resolveDsUrl(config2, brand, dsURLFromAReq) {
  const allow = allowListFor(config2, brand);
  if (dsURLFromAReq && allow.some((prefix) => isUnder(dsURLFromAReq, prefix))) return dsURLFromAReq;
  return configuredDsUrl(config2, brand);
}
function isUnder(dsURL, prefix) {
  try {
    const url2 = new URL(dsURL);
    const allowed = new URL(prefix);
    if (url2.origin !== allowed.origin || url2.username || url2.password) return false;
    const base = allowed.pathname.endsWith("/") ? allowed.pathname : `${allowed.pathname}/`;
    return url2.pathname === allowed.pathname || url2.pathname.startsWith(base);
  } catch {
    return false;
  }
}
function allowListFor(config2, brand) {
  const list = { jcb: config2.DS_ALLOWLIST_JCB, visa: config2.DS_ALLOWLIST_VISA, mastercard: config2.DS_ALLOWLIST_MASTERCARD }[brand];
  return config2.SANDBOX ? [...list, `${config2.PUBLIC_URL}/sandbox/ds/`] : list;
}
function configuredDsUrl(config2, brand) {
  return { jcb: config2.DS_URL_JCB, visa: config2.DS_URL_VISA, mastercard: config2.DS_URL_MASTERCARD }[brand];
}

// src/acs/rreq.ts
var RRES_TIMEOUT_MS = 5e3;
var rreqDeliverySettings = { rresTimeoutMs: RRES_TIMEOUT_MS };
var GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1e3;
var ERRO_TIMEOUT_MS = 2e3;
var MAX_RECORDED_BODY = 4e3;
function queueRReq(deps2, acsTransID) {
  return scheduleTimer(deps2, "rreq_delivery", acsTransID, deps2.clock.now());
}
function rreqFor(txn, challengeError) {
  const messageVersion = txn.messageVersion;
  const cancel = challengeCancelFor(messageVersion, txn.challengeCancel, challengeError);
  const common = {
    messageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    acsTransID: txn.acsTransID,
    dsTransID: txn.dsTransID,
    messageCategory: txn.messageCategory,
    interactionCounter: Math.min(txn.interactionCounter, 99),
    challengeCancel: cancel,
    challengeErrorReporting: cancel === "09" || cancel === "10" ? challengeError : void 0
  };
  const authenticationType3 = txn.challengeMethod === "password" ? "01" : "02";
  const transStatusReason = txn.finalTransStatusReason ?? "01";
  switch (txn.finalTransStatus) {
    case "Y":
      return buildRReq({ ...common, transStatus: "Y", eci: txn.eci, authenticationValue: txn.authenticationValue, authenticationType: authenticationType3 });
    case "U":
    case "R":
      return buildRReq({ ...common, transStatus: txn.finalTransStatus, transStatusReason });
    default:
      return buildRReq({ ...common, transStatus: "N", transStatusReason, authenticationType: authenticationType3 });
  }
}
function challengeCancelFor(version, cancel, challengeError) {
  if (!cancel) return void 0;
  if ((cancel === "09" || cancel === "10") && (version === "2.2.0" || !challengeError)) return "06";
  return cancel;
}
async function challengeErrorOf(deps2, acsTransID) {
  const sent = await deps2.db.select({ body: transactionMessages.body }).from(transactionMessages).where(and7(eq10(transactionMessages.acsTransID, acsTransID), eq10(transactionMessages.direction, "out"), eq10(transactionMessages.messageType, "Erro"))).orderBy(desc(transactionMessages.id));
  for (const { body } of sent) {
    const erro = JSON.parse(body);
    if (erro.errorMessageType === "CReq" || erro.errorMessageType === "CRes") return erro;
  }
  return void 0;
}
async function deliverRReq(deps2, acsTransID, attempt = 1) {
  const { config: config2, log: log2 } = deps2;
  const txn = await findTransaction(deps2.db, acsTransID);
  if (!txn || txn.state === "rreq_delivered") return { done: true };
  if (!txn.finalTransStatus) return { done: true };
  if (deps2.clock.now() - txn.updatedAt > GIVE_UP_AFTER_MS) {
    log2.error("rreq: giving up after a day of failed deliveries", { acsTransID, attempt });
    return { done: true };
  }
  const retryLater = (error) => ({ retryAt: deps2.clock.now() + backoffMs(attempt), error });
  const url2 = resolveDsUrl(config2, txn.brand, txn.dsURL);
  if (!url2) {
    const error = `no DS URL for ${txn.brand}: the AReq's dsURL is not on DS_ALLOWLIST_${txn.brand.toUpperCase()} and DS_URL_${txn.brand.toUpperCase()} is not set`;
    log2.error("rreq: no DS URL", { acsTransID, brand: txn.brand, dsURL: txn.dsURL, attempt });
    return retryLater(error);
  }
  const rreq = rreqFor(txn, txn.challengeCancel === "09" || txn.challengeCancel === "10" ? await challengeErrorOf(deps2, acsTransID) : void 0);
  let exchange = await postRReq(deps2, url2, rreq);
  if (exchange.kind === "unreachable" && attempt === 1) {
    await logAttempt(deps2, acsTransID, url2, "failed", exchange.reason);
    exchange = await postRReq(deps2, url2, rreq);
  }
  return handleExchange(deps2, txn, url2, exchange, retryLater);
}
async function postRReq(deps2, url2, rreq) {
  await recordMessage(deps2.db, rreq.acsTransID, "out", "RReq", rreq, deps2.clock.now());
  try {
    const res = await deps2.fetch(url2, {
      method: "POST",
      // 2.3: the sender's own transaction ID goes in X-Request-ID (Table A.29).
      headers: { "content-type": "application/json; charset=utf-8", "x-request-id": rreq.acsTransID },
      body: JSON.stringify(rreq),
      signal: AbortSignal.timeout(rreqDeliverySettings.rresTimeoutMs)
    });
    return { kind: "answered", status: res.status, body: await res.text() };
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError") return { kind: "timeout" };
    return { kind: "unreachable", reason: `connection failed: ${describe(error)}` };
  }
}
async function handleExchange(deps2, txn, url2, exchange, retryLater) {
  const { acsTransID } = txn;
  const failed = async (reason) => {
    await logAttempt(deps2, acsTransID, url2, "failed", reason);
    deps2.log.warn("rreq delivery failed", { acsTransID, reason });
    return retryLater(reason);
  };
  if (exchange.kind === "unreachable") return failed(exchange.reason);
  if (exchange.kind === "timeout") {
    await sendErro(deps2, url2, erroAbout(txn, { errorCode: "402", errorDetail: "RRes not received in time" }));
    return failed("RRes timed out");
  }
  const { status, body } = exchange;
  if (status >= 500 || status === 408 || status === 429) return failed(`HTTP ${status}`);
  const parsed = parseRRes(body);
  if (parsed.ok) return acceptRRes(deps2, txn, url2, parsed.rres);
  if (status >= 300 && !parsed.fromDs) return failed(`HTTP ${status}`);
  await recordMessage(deps2.db, acsTransID, "in", parsed.fromDs ? "Erro" : "RRes(invalid)", body.slice(0, MAX_RECORDED_BODY), deps2.clock.now());
  if (parsed.fromDs) {
    await logAttempt(deps2, acsTransID, url2, "failed", `DS answered Erro ${parsed.erro.errorCode}: ${parsed.erro.errorDetail}`);
  } else {
    await sendErro(deps2, url2, erroAbout(txn, parsed.erro));
    await logAttempt(deps2, acsTransID, url2, "failed", `invalid RRes: ${parsed.erro.errorCode} ${parsed.erro.errorDetail}`);
  }
  return finish(deps2, acsTransID);
}
async function acceptRRes(deps2, txn, url2, rres) {
  const { acsTransID } = txn;
  await recordMessage(deps2.db, acsTransID, "in", "RRes", rres, deps2.clock.now());
  const wrongIds = ["acsTransID", "threeDSServerTransID", "dsTransID"].filter((id) => rres[id] !== txn[id]);
  const mismatch = wrongIds.length > 0 ? { errorCode: "301", errorDetail: wrongIds.join(",") } : rres.messageVersion !== txn.messageVersion ? { errorCode: "203", errorDetail: "messageVersion" } : void 0;
  if (mismatch) {
    await sendErro(deps2, url2, erroAbout(txn, mismatch));
    await logAttempt(deps2, acsTransID, url2, "failed", `RRes refused: Erro ${mismatch.errorCode} ${mismatch.errorDetail}`);
    return finish(deps2, acsTransID);
  }
  await logAttempt(deps2, acsTransID, url2, "sent", `resultsStatus ${rres.resultsStatus}`);
  deps2.log.info("rreq delivered", { acsTransID, resultsStatus: rres.resultsStatus });
  return finish(deps2, acsTransID);
}
async function finish(deps2, acsTransID) {
  await transition(deps2.db, acsTransID, "rreq_delivered", deps2.clock.now());
  return { done: true };
}
function erroAbout(txn, erro) {
  return buildErro({
    errorCode: erro.errorCode,
    errorDetail: erro.errorDetail,
    errorMessageType: "RRes",
    messageVersion: txn.messageVersion,
    acsTransID: txn.acsTransID,
    dsTransID: txn.dsTransID,
    threeDSServerTransID: txn.threeDSServerTransID
  });
}
async function sendErro(deps2, url2, erro) {
  await recordMessage(deps2.db, erro.acsTransID, "out", "Erro", erro, deps2.clock.now());
  try {
    const res = await deps2.fetch(url2, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "x-request-id": erro.acsTransID },
      body: JSON.stringify(erro),
      signal: AbortSignal.timeout(Math.min(ERRO_TIMEOUT_MS, rreqDeliverySettings.rresTimeoutMs))
    });
    await res.body?.cancel();
  } catch (error) {
    deps2.log.warn("could not send Erro to DS", { acsTransID: erro.acsTransID, errorCode: erro.errorCode, error: describe(error) });
  }
}
function logAttempt(deps2, acsTransID, url2, status, detail) {
  return deps2.db.insert(outboundLog).values({ channel: "rreq", acsTransID, recipient: url2, provider: "ds", status, detail, createdAt: deps2.clock.now() });
}
function describe(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.code ?? error.cause.message}` : "";
  return `${error.message}${cause}`;
}

// src/acs/deliver-now.ts
async function deliverRReqNow(deps2, acsTransID) {
  const timer = await deps2.db.select().from(timers).where(and8(eq11(timers.kind, "rreq_delivery"), eq11(timers.acsTransID, acsTransID))).get();
  if (timer && timer.doneAt === null) await runClaimed(deps2, timer, (d, t) => deliverRReq(d, t.acsTransID, t.attempts + 1));
}

// src/protocol/cres.ts
import { z as z9 } from "zod";
var fields3 = {
  messageType: required(z9.literal("CRes")),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  // app channel only; 2.1.0 browser examples carried challengeCompletionInd too
  sdkTransID: optional(uuid),
  acsCounterAtoS: optional(digits(3, 3)),
  challengeCompletionInd: optional(z9.enum(["Y", "N"]))
};
var CRes220 = z9.object({
  ...fields3,
  messageVersion: required(z9.literal("2.2.0")),
  transStatus: required(z9.enum(["Y", "N"])),
  messageExtension: optional(messageExtensions(10))
});
var CRes231 = z9.object({
  ...fields3,
  messageVersion: required(z9.literal("2.3.1")),
  transStatus: required(z9.enum(["Y", "N", "D"])),
  // D: decoupled fallback, not offered by this ACS
  messageExtension: optional(messageExtensions(15))
});
var CRES_SCHEMAS = { "2.2.0": CRes220, "2.3.1": CRes231 };
function buildFinalCRes(input) {
  const cres = withoutUndefined({ messageType: "CRes", ...input });
  return CRES_SCHEMAS[input.messageVersion].parse(cres);
}

// src/challenge/finish.ts
var STATE_FOR = {
  success: { txn: "completed", challenge: "succeeded" },
  failed: { txn: "failed", challenge: "failed" },
  cancelled: { txn: "cancelled", challenge: "cancelled" },
  expired: { txn: "expired", challenge: "expired" },
  error: { txn: "failed", challenge: "failed" }
};
async function finishChallenge(deps2, txn, ending, how) {
  const { db, clock } = deps2;
  const now = clock.now();
  const patch = await finalFields(deps2, txn, ending, how);
  const moved = await transition(db, txn.acsTransID, STATE_FOR[ending.kind].txn, now, patch, ["ares_sent", "challenge_started"]);
  if (moved) {
    await db.update(challenges).set({ state: STATE_FOR[ending.kind].challenge, lastActivityAt: now }).where(eq12(challenges.acsTransID, txn.acsTransID));
    await cancelTimer(deps2, "challenge_timeout", txn.acsTransID);
    await cancelTimer(deps2, "creq_timeout", txn.acsTransID);
    await queueRReq(deps2, txn.acsTransID);
    deps2.log.info("challenge ended", { acsTransID: txn.acsTransID, ending: ending.kind, transStatus: patch.finalTransStatus, reason: patch.finalTransStatusReason });
    await deliverRReqNow(deps2, txn.acsTransID);
  }
  return await findTransaction(db, txn.acsTransID);
}
async function finalFields(deps2, txn, ending, how) {
  switch (ending.kind) {
    case "success": {
      const eci = eciFor(txn.brand, "Y");
      const pan = await decryptPan(deps2.keys.panEncryption, txn.panCipher);
      const authenticationValue = await computeAuthenticationValue(deps2.keys.authValue, {
        transStatus: "Y",
        how: how ?? "sms_otp",
        pan,
        dsTransID: txn.dsTransID,
        eci,
        purchaseAmount: txn.purchaseAmount ?? void 0,
        purchaseCurrency: txn.purchaseCurrency ?? void 0
      });
      return { finalTransStatus: "Y", finalTransStatusReason: null, eci, authenticationValue };
    }
    case "failed":
      return { finalTransStatus: "N", finalTransStatusReason: ending.reason, eci: eciFor(txn.brand, "N"), authenticationValue: null };
    case "cancelled":
      return { finalTransStatus: "N", finalTransStatusReason: "01", challengeCancel: "01", eci: eciFor(txn.brand, "N"), authenticationValue: null };
    case "expired":
      return { finalTransStatus: "N", finalTransStatusReason: "14", challengeCancel: "04", eci: eciFor(txn.brand, "N"), authenticationValue: null };
    case "error":
      return { finalTransStatus: "U", finalTransStatusReason: ending.reason, challengeCancel: ending.challengeCancel, authenticationValue: null };
  }
}
function finalPost(txn, threeDSSessionData) {
  if (!txn.notificationURL || txn.finalTransStatus !== "Y" && txn.finalTransStatus !== "N") return void 0;
  const cres = buildFinalCRes({
    messageVersion: txn.messageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    acsTransID: txn.acsTransID,
    transStatus: txn.finalTransStatus
  });
  return { notificationURL: txn.notificationURL, cres: encodeJsonBase64Url(cres), threeDSSessionData, transStatus: txn.finalTransStatus };
}
function erroPost(notificationURL, erro, threeDSSessionData) {
  return { notificationURL, cres: encodeJsonBase64Url(erro), threeDSSessionData, transStatus: "U" };
}

// src/challenge/format.ts
function formatAmount(amount, currency2, exponent, lang) {
  if (!amount || !currency2) return "";
  const exp = exponent ?? 0;
  const value = Number(amount) / 10 ** exp;
  const alpha = CURRENCIES[currency2]?.[0];
  if (!alpha) return `${value.toFixed(exp)} (${currency2})`;
  return new Intl.NumberFormat(lang === "ja" ? "ja-JP" : "en-US", {
    style: "currency",
    currency: alpha,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp
  }).format(value);
}
function formatPurchaseDate(purchaseDate, lang) {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(purchaseDate ?? "");
  if (!m) return "";
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const fmt = new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", {
    timeZone: "Asia/Tokyo",
    year: "numeric",
    month: lang === "ja" ? "long" : "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit"
  });
  return `${fmt.format(utc)} JST`;
}
function maskPhone(e164) {
  if (!e164) return "";
  const jp = /^\+81(\d{1,2})(\d+)(\d{4})$/.exec(e164);
  if (jp) return `0${jp[1]}-****-${jp[3]}`;
  return `****${e164.slice(-4)}`;
}

// src/challenge/messages.ts
var MESSAGES = {
  ja: {
    title: "\u672C\u4EBA\u8A8D\u8A3C",
    heading: "\u3054\u672C\u4EBA\u78BA\u8A8D\u306E\u304A\u9858\u3044",
    intro: "\u304A\u652F\u6255\u3044\u3092\u7D9A\u3051\u308B\u305F\u3081\u3001\u4F1A\u54E1ID\u3068\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\u3092\u5165\u529B\u3057\u3066\u304F\u3060\u3055\u3044\u3002",
    introPassword: "\u304A\u652F\u6255\u3044\u3092\u7D9A\u3051\u308B\u305F\u3081\u3001\u4F1A\u54E1ID\u3068\u672C\u4EBA\u8A8D\u8A3C\u30D1\u30B9\u30EF\u30FC\u30C9\u3092\u5165\u529B\u3057\u3066\u304F\u3060\u3055\u3044\u3002",
    merchant: "\u3054\u5229\u7528\u5148",
    amount: "\u3054\u5229\u7528\u91D1\u984D",
    date: "\u3054\u5229\u7528\u65E5\u6642",
    card: "\u30AB\u30FC\u30C9\u756A\u53F7",
    cardEnding: (last4) => `\u672B\u5C3E ${last4}`,
    personalMessage: "\u30D1\u30FC\u30BD\u30CA\u30EB\u30E1\u30C3\u30BB\u30FC\u30B8",
    personalMessageHint: "\u3054\u767B\u9332\u306E\u30E1\u30C3\u30BB\u30FC\u30B8\u3068\u540C\u3058\u3067\u3042\u308C\u3070\u3001\u6B63\u3057\u3044\u8A8D\u8A3C\u753B\u9762\u3067\u3059\u3002",
    memberId: "\u4F1A\u54E1ID",
    otp: "\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\uFF086\u6841\uFF09",
    password: "\u672C\u4EBA\u8A8D\u8A3C\u30D1\u30B9\u30EF\u30FC\u30C9",
    sentTo: (phone2) => `${phone2} \u306BSMS\u3067\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\u3092\u9001\u4FE1\u3057\u307E\u3057\u305F\u3002`,
    submit: "\u8A8D\u8A3C\u3059\u308B",
    resend: "\u30B3\u30FC\u30C9\u3092\u518D\u9001\u4FE1",
    cancel: "\u30AD\u30E3\u30F3\u30BB\u30EB",
    failed: "\u4F1A\u54E1ID\u307E\u305F\u306F\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\u304C\u6B63\u3057\u304F\u3042\u308A\u307E\u305B\u3093\u3002",
    failedPassword: "\u4F1A\u54E1ID\u307E\u305F\u306F\u30D1\u30B9\u30EF\u30FC\u30C9\u304C\u6B63\u3057\u304F\u3042\u308A\u307E\u305B\u3093\u3002",
    remaining: (n) => `\u3042\u3068${n}\u56DE\u9593\u9055\u3048\u308B\u3068\u3001\u3053\u306E\u4F1A\u54E1ID\u306F\u3054\u5229\u7528\u3044\u305F\u3060\u3051\u306A\u304F\u306A\u308A\u307E\u3059\u3002`,
    resent: "\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\u3092\u518D\u9001\u4FE1\u3057\u307E\u3057\u305F\u3002",
    resendWait: (s) => `\u518D\u9001\u4FE1\u306F${s}\u79D2\u5F8C\u304B\u3089\u3054\u5229\u7528\u3044\u305F\u3060\u3051\u307E\u3059\u3002`,
    resendLimit: "\u3053\u308C\u4EE5\u4E0A\u518D\u9001\u4FE1\u3067\u304D\u307E\u305B\u3093\u3002\u5C4A\u304B\u306A\u3044\u5834\u5408\u306F\u30AB\u30FC\u30C9\u4F1A\u793E\u306B\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002",
    smsFailed: "SMS\u3092\u9001\u4FE1\u3067\u304D\u307E\u305B\u3093\u3067\u3057\u305F\u3002\u3057\u3070\u3089\u304F\u3057\u3066\u304B\u3089\u300C\u30B3\u30FC\u30C9\u3092\u518D\u9001\u4FE1\u300D\u3092\u62BC\u3059\u304B\u3001\u30AB\u30FC\u30C9\u4F1A\u793E\u306B\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002",
    smsUnavailable: (phone2) => `\u305F\u3060\u3044\u307ESMS\u3092\u9001\u4FE1\u3067\u304D\u306A\u3044\u72B6\u614B\u3067\u3059\u3002\u304A\u624B\u6570\u3067\u3059\u304C\u3001\u3057\u3070\u3089\u304F\u3057\u3066\u304B\u3089\u30B7\u30E7\u30C3\u30D7\u306E\u753B\u9762\u3067\u3082\u3046\u4E00\u5EA6\u304A\u8A66\u3057\u3044\u305F\u3060\u304F\u304B\u3001\u30AB\u30FC\u30C9\u4F1A\u793E\uFF08${phone2}\uFF09\u3078\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002`,
    smsRateLimited: (phone2) => `\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\u306E\u9001\u4FE1\u56DE\u6570\u304C\u4E0A\u9650\u306B\u9054\u3057\u305F\u305F\u3081\u3001\u3057\u3070\u3089\u304F\u9001\u4FE1\u3067\u304D\u307E\u305B\u3093\u3002\u6642\u9593\u3092\u304A\u3044\u3066\u304A\u8A66\u3057\u3044\u305F\u3060\u304F\u304B\u3001\u30AB\u30FC\u30C9\u4F1A\u793E\uFF08${phone2}\uFF09\u3078\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002`,
    smsProvisional: (phone2) => `\u3054\u767B\u9332\u306E\u643A\u5E2F\u96FB\u8A71\u756A\u53F7\u306F\u4EEE\u767B\u9332\u306E\u305F\u3081\u3001SMS\u3092\u304A\u9001\u308A\u3067\u304D\u307E\u305B\u3093\u3002\u4F1A\u54E1\u30DA\u30FC\u30B8\u3067\u643A\u5E2F\u96FB\u8A71\u756A\u53F7\u3092\u3054\u767B\u9332\u3044\u305F\u3060\u304F\u304B\u3001\u30AB\u30FC\u30C9\u4F1A\u793E\uFF08${phone2}\uFF09\u3078\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002`,
    smsNotAllowed: (phone2) => `\u3054\u767B\u9332\u306E\u643A\u5E2F\u96FB\u8A71\u756A\u53F7\u306B\u306FSMS\u3092\u304A\u9001\u308A\u3067\u304D\u307E\u305B\u3093\u3002\u30AB\u30FC\u30C9\u4F1A\u793E\uFF08${phone2}\uFF09\u3078\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002`,
    lockedHeading: "\u3053\u306E\u4F1A\u54E1ID\u306F\u73FE\u5728\u3054\u5229\u7528\u3044\u305F\u3060\u3051\u307E\u305B\u3093",
    locked: (phone2) => `\u5165\u529B\u306E\u8AA4\u308A\u304C\u898F\u5B9A\u56DE\u6570\u3092\u8D85\u3048\u305F\u305F\u3081\u3001\u30ED\u30C3\u30AF\u3057\u307E\u3057\u305F\u3002\u89E3\u9664\u306F\u30AB\u30FC\u30C9\u4F1A\u793E\uFF08${phone2}\uFF09\u3078\u304A\u96FB\u8A71\u304F\u3060\u3055\u3044\u3002`,
    registerHeading: "\u672C\u4EBA\u8A8D\u8A3C\u30B5\u30FC\u30D3\u30B9\u3078\u306E\u3054\u767B\u9332\u304C\u5FC5\u8981\u3067\u3059",
    register: "\u3053\u306E\u30AB\u30FC\u30C9\u306F\u672C\u4EBA\u8A8D\u8A3C\u30B5\u30FC\u30D3\u30B9\u306B\u767B\u9332\u3055\u308C\u3066\u3044\u307E\u305B\u3093\u3002\u4F1A\u54E1\u30DA\u30FC\u30B8\u3067\u3054\u767B\u9332\u306E\u3046\u3048\u3001\u3042\u3089\u305F\u3081\u3066\u304A\u8CB7\u3044\u7269\u304F\u3060\u3055\u3044\u3002",
    phoneHeading: "\u643A\u5E2F\u96FB\u8A71\u756A\u53F7\u306E\u3054\u767B\u9332\u304C\u5FC5\u8981\u3067\u3059",
    phone: (phone2) => `\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\u3092\u53D7\u3051\u53D6\u308B\u643A\u5E2F\u96FB\u8A71\u756A\u53F7\u304C\u767B\u9332\u3055\u308C\u3066\u3044\u307E\u305B\u3093\u3002\u4F1A\u54E1\u30DA\u30FC\u30B8\u3067\u767B\u9332\u3059\u308B\u304B\u3001\u30AB\u30FC\u30C9\u4F1A\u793E\uFF08${phone2}\uFF09\u3078\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002`,
    expiredHeading: "\u8A8D\u8A3C\u306E\u6709\u52B9\u6642\u9593\u304C\u904E\u304E\u307E\u3057\u305F",
    expired: "\u304A\u624B\u6570\u3067\u3059\u304C\u3001\u30B7\u30E7\u30C3\u30D7\u306E\u753B\u9762\u304B\u3089\u3082\u3046\u4E00\u5EA6\u304A\u624B\u7D9A\u304D\u304F\u3060\u3055\u3044\u3002",
    cannotContinueHeading: "\u3053\u306E\u304A\u8CB7\u3044\u7269\u306E\u8A8D\u8A3C\u3092\u7D9A\u3051\u3089\u308C\u307E\u305B\u3093",
    cannotContinue: "\u30B7\u30E7\u30C3\u30D7\u306E\u753B\u9762\u306B\u623B\u308A\u3001\u3082\u3046\u4E00\u5EA6\u304A\u8A66\u3057\u304F\u3060\u3055\u3044\u3002",
    returnToShop: "\u30B7\u30E7\u30C3\u30D7\u306B\u623B\u308B",
    continueToShop: "\u30B7\u30E7\u30C3\u30D7\u306E\u753B\u9762\u3078\u623B\u3063\u3066\u3044\u307E\u3059\u2026",
    successHeading: "\u8A8D\u8A3C\u304C\u5B8C\u4E86\u3057\u307E\u3057\u305F",
    cancelledHeading: "\u8A8D\u8A3C\u3092\u30AD\u30E3\u30F3\u30BB\u30EB\u3057\u307E\u3057\u305F",
    helpSummary: "\u304A\u56F0\u308A\u306E\u5834\u5408",
    helpWhy: "\u3053\u306E\u753B\u9762\u306F\u3001\u30AB\u30FC\u30C9\u306E\u4E0D\u6B63\u5229\u7528\u3092\u9632\u3050\u305F\u3081\u306B\u30AB\u30FC\u30C9\u4F1A\u793E\u304C\u8868\u793A\u3057\u3066\u3044\u307E\u3059\u3002",
    helpNoCode: "SMS\u304C\u5C4A\u304B\u306A\u3044\u3068\u304D\u306F\u3001\u96FB\u6CE2\u306E\u826F\u3044\u5834\u6240\u3067\u300C\u30B3\u30FC\u30C9\u3092\u518D\u9001\u4FE1\u300D\u3092\u62BC\u3057\u3066\u304F\u3060\u3055\u3044\u3002",
    helpCall: (phone2) => `\u3054\u4E0D\u660E\u306A\u70B9\u306F\u30AB\u30FC\u30C9\u4F1A\u793E\uFF08${phone2}\uFF09\u3078\u304A\u554F\u3044\u5408\u308F\u305B\u304F\u3060\u3055\u3044\u3002`,
    switchLanguage: "English",
    sms: (issuer, code2, merchant, amount, minutes) => `\u3010${issuer}\u3011\u30EF\u30F3\u30BF\u30A4\u30E0\u30D1\u30B9\u30EF\u30FC\u30C9\uFF1A${code2}
${merchant}\u3067\u306E\u304A\u652F\u6255\u3044\uFF08${amount}\uFF09\u306E\u672C\u4EBA\u8A8D\u8A3C\u3067\u3059\u3002\u6709\u52B9\u671F\u9650${minutes}\u5206\u3002\u3053\u306E\u30B3\u30FC\u30C9\u306F\u8AB0\u306B\u3082\u6559\u3048\u306A\u3044\u3067\u304F\u3060\u3055\u3044\u3002`
  },
  en: {
    title: "Authentication",
    heading: "Let's make sure it's you",
    intro: "To continue with this payment, enter your member ID and the one-time password.",
    introPassword: "To continue with this payment, enter your member ID and your 3-D Secure password.",
    merchant: "Merchant",
    amount: "Amount",
    date: "Date",
    card: "Card",
    cardEnding: (last4) => `ending ${last4}`,
    personalMessage: "Personal message",
    personalMessageHint: "If it matches the message you registered, this page is genuine.",
    memberId: "Member ID",
    otp: "One-time password (6 digits)",
    password: "3-D Secure password",
    sentTo: (phone2) => `We sent a one-time password by SMS to ${phone2}.`,
    submit: "Submit",
    resend: "Resend code",
    cancel: "Cancel",
    failed: "The member ID or one-time password is not correct.",
    failedPassword: "The member ID or password is not correct.",
    remaining: (n) => `After ${n} more wrong ${n === 1 ? "entry" : "entries"}, this member ID will be locked.`,
    resent: "We sent a new one-time password.",
    resendWait: (s) => `You can resend in ${s} seconds.`,
    resendLimit: "No more codes can be sent. If none arrived, please call your card issuer.",
    smsFailed: 'We could not send the SMS. Please press "Resend code" in a moment, or call your card issuer.',
    smsUnavailable: (phone2) => `Text messages cannot be sent at the moment. Please try again from the shop a little later, or call your card issuer (${phone2}).`,
    smsRateLimited: (phone2) => `Too many one-time passwords were sent, so no more can be sent for a while. Please try again later, or call your card issuer (${phone2}).`,
    smsProvisional: (phone2) => `Your mobile number is only provisionally registered, so we cannot text it. Register your number in the member portal, or call your card issuer (${phone2}).`,
    smsNotAllowed: (phone2) => `We cannot send text messages to your registered mobile number. Please call your card issuer (${phone2}).`,
    lockedHeading: "This member ID cannot be used now",
    locked: (phone2) => `It was locked after too many wrong entries. To unlock it, please call your card issuer (${phone2}).`,
    registerHeading: "Please register for 3-D Secure",
    register: "This card is not registered for online authentication. Register in the member portal, then shop again.",
    phoneHeading: "Please register your mobile number",
    phone: (phone2) => `No mobile number for one-time passwords is registered. Register one in the member portal or call your card issuer (${phone2}).`,
    expiredHeading: "The time for this authentication has run out",
    expired: "Please start again from the shop.",
    cannotContinueHeading: "This purchase cannot continue",
    cannotContinue: "Please return to the shop and try again.",
    returnToShop: "Return to the shop",
    continueToShop: "Returning to the shop\u2026",
    successHeading: "Authentication complete",
    cancelledHeading: "Authentication cancelled",
    helpSummary: "Need help?",
    helpWhy: "Your card issuer shows this page to protect your card from misuse.",
    helpNoCode: 'If the SMS does not arrive, move to a place with good reception and press "Resend code".',
    helpCall: (phone2) => `For anything else, call your card issuer (${phone2}).`,
    switchLanguage: "\u65E5\u672C\u8A9E",
    sms: (issuer, code2, merchant, amount, minutes) => `[${issuer}] One-time password: ${code2}
For your payment of ${amount} at ${merchant}. Valid ${minutes} min. Never share this code with anyone.`
  }
};
function languageFor(browserLanguage) {
  if (!browserLanguage) return "ja";
  return browserLanguage.toLowerCase().startsWith("ja") ? "ja" : "en";
}

// src/challenge/pace.ts
var ANSWER_FLOOR_MS = 400;
async function atLeast(ms, work) {
  const started = performance.now();
  const result = await work();
  const left = ms - (performance.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return result;
}

// src/challenge/send-otp.ts
import { and as and10, eq as eq15, isNull as isNull3, lte as lte3, lt as lt2, or as or3, sql as sql5 } from "drizzle-orm";

// src/messaging/provider-http.ts
var BUDGET_SPENT = "timed out: the send budget was used up";
var MAX_ANSWER_BYTES = 64 * 1024;
async function postToProvider(fetchFn, req) {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  try {
    const res = await fetchFn(req.url, { method: "POST", headers: req.headers, body: req.body, signal, redirect: "manual" });
    const text3 = await readBounded(res);
    return { kind: "answer", status: res.status, text: text3, json: parseJson(text3) };
  } catch (error) {
    if (timeout.aborted) return { kind: "no-answer", error: `timed out after ${req.timeoutMs} ms` };
    if (req.signal?.aborted) return { kind: "no-answer", error: BUDGET_SPENT };
    return { kind: "no-answer", error: `connection failed: ${describeError(error)}` };
  }
}
function isTransientStatus(status) {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
function statusFailure(status, detail) {
  return { ok: false, error: `HTTP ${status}${detail ? `: ${detail}` : ""}`, transient: isTransientStatus(status) };
}
function unreadableFailure(status, text3) {
  return { ok: false, error: `unreadable answer (HTTP ${status}): ${snippet(text3) || "empty body"}`, transient: false };
}
function noAnswerFailure(answer) {
  return { ok: false, error: answer.error, transient: true };
}
function fillTemplate(template, values) {
  const fill = (s) => s.replace(/\{\{(\w+)\}\}/g, (whole, name) => name in values ? values[name] : whole);
  const walk = (node) => {
    if (typeof node === "string") return fill(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([k, v]) => [fill(k), walk(v)]));
    return node;
  };
  return JSON.stringify(walk(JSON.parse(template)));
}
function valueAt(json, path) {
  let node = json;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return void 0;
    node = node[part];
  }
  if (typeof node === "string" && node.length > 0) return node;
  if (typeof node === "number" && Number.isFinite(node)) return String(node);
  return void 0;
}
function basicAuth(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}
function scrub(text3, secrets, recipient) {
  let out = text3;
  const hidden = secrets.filter((s) => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of hidden) out = out.split(s).join("[redacted]");
  if (recipient) {
    const digits2 = recipient.replace(/^\+/, "");
    const masked = `****${digits2.slice(-4)}`;
    for (const form of [recipient, digits2]) if (form.length >= 6) out = out.split(form).join(masked);
  }
  return out;
}
function snippet(text3, max = 200) {
  const line = text3.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}\u2026` : line;
}
function isObject(value) {
  return !!value && typeof value === "object" && !Array.isArray(value);
}
async function readBounded(res) {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  for (; ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => void 0);
      break;
    }
  }
  const all = new Uint8Array(Math.min(size, MAX_ANSWER_BYTES));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, all.length - offset);
    all.set(part, offset);
    offset += part.length;
    if (offset >= all.length) break;
  }
  return new TextDecoder().decode(all);
}
function parseJson(text3) {
  try {
    return JSON.parse(text3);
  } catch {
    return void 0;
  }
}
function describeError(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const reason = cause instanceof Error ? cause.code ?? cause.message : void 0;
  return reason ? `${error.message} (${reason})` : error.message;
}

// src/messaging/deliver.ts
async function deliverSms(deps2, message, options) {
  const { config: config2 } = deps2;
  const budgetMs = config2.SMS_SEND_BUDGET_MS;
  const budget = AbortSignal.timeout(budgetMs);
  const maxAttempts = options.probe ? 1 : 1 + config2.SMS_RETRIES;
  const provider = deps2.sms.name;
  const base = { acsTransID: message.acsTransID, provider, to: maskNumber(message.to) };
  for (let attempt = 1; ; attempt++) {
    const raw2 = await attemptSend(deps2.sms, message, budget);
    const result = raw2.ok ? raw2 : { ...raw2, error: scrub(raw2.error, [message.otpCode, message.body], message.to) };
    await recordAttempt(deps2, message, result.ok ? "sent" : "failed", result.ok ? `attempt ${attempt}: ${result.providerMessageId}` : `attempt ${attempt} (${result.transient ? "transient" : "permanent"}): ${result.error}`);
    if (result.ok) {
      await recordSuccess(deps2, options.probe);
      deps2.log.info("sms sent", { ...base, attempt, providerMessageId: result.providerMessageId });
      return { kind: "sent", providerMessageId: result.providerMessageId, attempts: attempt };
    }
    const opened = await recordFailure(deps2, options.probe, result.error);
    const last = !result.transient || opened || attempt >= maxAttempts || budget.aborted;
    deps2.log.warn("sms attempt failed", { ...base, attempt, transient: result.transient, error: result.error, retrying: !last });
    if (last || !await pause(config2.SMS_RETRY_BACKOFF_MS * 2 ** (attempt - 1), budget)) {
      return { kind: "failed", attempts: attempt, error: result.error };
    }
  }
}
function recordRefusal(deps2, message, reason, detail) {
  return recordAttempt(deps2, message, "failed", `refused (${reason}): ${detail}`, "policy");
}
function maskNumber(e164) {
  return `****${e164.slice(-4)}`;
}
function recordAttempt(deps2, message, status, detail, provider = deps2.sms.name) {
  return deps2.db.insert(outboundLog).values({
    channel: "sms",
    acsTransID: message.acsTransID ?? null,
    recipient: maskNumber(message.to),
    provider,
    status,
    detail: detail.slice(0, 500),
    createdAt: deps2.clock.now()
  });
}
async function attemptSend(gateway, message, budget) {
  const spent = { ok: false, error: BUDGET_SPENT, transient: true };
  if (budget.aborted) return spent;
  let onAbort = () => {
  };
  const guard = new Promise((resolve) => {
    onAbort = () => resolve(spent);
    budget.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const call = gateway.send(message, { signal: budget }).catch((error) => ({ ok: false, error: `adapter error: ${error instanceof Error ? error.message : String(error)}`, transient: true }));
    return await Promise.race([call, guard]);
  } finally {
    budget.removeEventListener("abort", onAbort);
  }
}
function pause(ms, budget) {
  if (budget.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok) => {
      clearTimeout(timer);
      budget.removeEventListener("abort", stop);
      resolve(ok);
    };
    const stop = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    budget.addEventListener("abort", stop, { once: true });
  });
}

// src/messaging/policy.ts
import { eq as eq13 } from "drizzle-orm";

// src/messaging/rate-limit.ts
import { sql as sql4 } from "drizzle-orm";
async function hitCounters(db, hits, now) {
  if (hits.length === 0) return [];
  const statements = hits.map(({ key, windowMs }) => {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    return db.insert(rateCounters).values({ key, windowStart, count: 1 }).onConflictDoUpdate({
      target: rateCounters.key,
      set: {
        // The same window counts on; a newer one starts again at 1. (A process whose clock runs
        // behind only adds to the newer window, never resets it.)
        count: sql4`case when ${rateCounters.windowStart} >= excluded.window_start then ${rateCounters.count} + 1 else 1 end`,
        windowStart: sql4`max(${rateCounters.windowStart}, excluded.window_start)`
      }
    }).returning({ count: rateCounters.count });
  });
  const [first, ...rest] = statements;
  const results = await db.batch([first, ...rest]);
  return results.map((rows) => rows[0].count);
}

// src/messaging/policy.ts
var E164 = /^\+[1-9]\d{6,14}$/;
async function checkDestination(deps2, input) {
  if (input.phoneStatus !== "verified") return { ok: false, refusal: "provisional", detail: `member phone is ${input.phoneStatus}` };
  const holder = await deps2.db.select({ provisional: cardholders.phoneProvisional }).from(cardholders).where(eq13(cardholders.id, input.cardholderId)).get();
  if (!holder || holder.provisional) return { ok: false, refusal: "provisional", detail: "issuer marked the number provisional" };
  if (!E164.test(input.phone)) return { ok: false, refusal: "not_allowed", detail: "not an E.164 number" };
  if (!deps2.config.SMS_COUNTRY_ALLOWLIST.some((prefix) => input.phone.startsWith(prefix))) {
    return { ok: false, refusal: "not_allowed", detail: `destination ${input.phone.slice(0, 3)}\u2026 is not on SMS_COUNTRY_ALLOWLIST` };
  }
  return { ok: true };
}
async function countSend(deps2, input) {
  const { config: config2 } = deps2;
  const limits = [];
  const add = (name, key, limit) => {
    if (key && limit) limits.push({ name, key, limit });
  };
  add("SMS_LIMIT_PER_PHONE", `sms:phone:${input.phone}`, config2.SMS_LIMIT_PER_PHONE);
  const ip2 = input.clientIp ? ipKey(input.clientIp) : void 0;
  add("SMS_LIMIT_PER_IP", ip2 && `sms:ip:${ip2}`, config2.SMS_LIMIT_PER_IP);
  add("SMS_LIMIT_PER_BIN", input.bin && /^\d{6,8}$/.test(input.bin) ? `sms:bin:${input.bin}` : void 0, config2.SMS_LIMIT_PER_BIN);
  const counts = await hitCounters(deps2.db, limits.map((l) => ({ key: l.key, windowMs: l.limit.windowMs })), deps2.clock.now());
  const over = limits.findIndex((l, i) => counts[i] > l.limit.max);
  if (over >= 0) {
    const { name, limit } = limits[over];
    return { ok: false, refusal: "rate_limited", detail: `${name} reached (${limit.max} per ${limit.windowMs / 1e3} s)` };
  }
  return { ok: true };
}
function ipKey(address) {
  const ip2 = address.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip2);
  if (mapped) return mapped[1];
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(ip2)) return ip2;
  const groups = expandIPv6(ip2);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : void 0;
}
function expandIPv6(ip2) {
  if (!/^[0-9a-f:]+$/i.test(ip2) || ip2.split("::").length > 2) return void 0;
  const [head, tail] = ip2.split("::");
  const a = head ? head.split(":") : [];
  const b = tail !== void 0 ? tail ? tail.split(":") : [] : [];
  const missing = 8 - a.length - b.length;
  if (tail === void 0 ? a.length !== 8 : missing < 1) return void 0;
  const groups = [...a, ...Array(tail === void 0 ? 0 : missing).fill("0"), ...b];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return void 0;
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""));
}

// src/challenge/otp.ts
import { and as and9, eq as eq14, gt as gt2, isNull as isNull2 } from "drizzle-orm";
function generateOtp() {
  const limit = Math.floor(2 ** 32 / 1e6) * 1e6;
  const buf = new Uint32Array(1);
  do
    crypto.getRandomValues(buf);
  while (buf[0] >= limit);
  return String(buf[0] % 1e6).padStart(6, "0");
}
function otpHash(deps2, acsTransID, code2) {
  return hmacHex(deps2.keys.session, `otp|${acsTransID}|${code2}`);
}
async function issueOtp(deps2, acsTransID) {
  const now = deps2.clock.now();
  const code2 = generateOtp();
  await deps2.db.batch([
    deps2.db.update(otps).set({ usedAt: now }).where(and9(eq14(otps.acsTransID, acsTransID), isNull2(otps.usedAt))),
    deps2.db.insert(otps).values({
      acsTransID,
      codeHash: await otpHash(deps2, acsTransID, code2),
      expiresAt: now + deps2.config.OTP_TTL_SECONDS * 1e3,
      createdAt: now
    })
  ]);
  return code2;
}
async function consumeOtp(deps2, acsTransID, code2, apply = true) {
  const now = deps2.clock.now();
  const codeHash = await otpHash(deps2, acsTransID, /^\d{6}$/.test(code2) ? code2 : "invalid");
  const live = and9(eq14(otps.acsTransID, acsTransID), eq14(otps.codeHash, codeHash), isNull2(otps.usedAt), gt2(otps.expiresAt, now));
  if (!apply) {
    await deps2.db.select({ id: otps.id }).from(otps).where(live);
    return false;
  }
  const used = await deps2.db.update(otps).set({ usedAt: now }).where(live).returning({ id: otps.id });
  return used.length === 1;
}

// src/challenge/send-otp.ts
async function sendOtp(deps2, ctx) {
  return (await sendOtpFor(deps2, ctx)).outcome;
}
async function sendOtpFor(deps2, ctx) {
  const { db, clock, config: config2 } = deps2;
  const challenge = ctx.challenge;
  const member = ctx.member;
  const phone2 = member?.phone;
  if (!challenge || !member || !phone2) return { outcome: "failed", refusal: "provisional" };
  const now = clock.now();
  const slot = await db.update(challenges).set({ sendCount: sql5`${challenges.sendCount} + 1`, lastSentAt: now }).where(
    and10(
      eq15(challenges.id, challenge.id),
      lt2(challenges.sendCount, config2.OTP_MAX_SENDS),
      or3(isNull3(challenges.lastSentAt), lte3(challenges.lastSentAt, now - config2.OTP_RESEND_COOLDOWN_SECONDS * 1e3))
    )
  ).returning({ sendCount: challenges.sendCount });
  if (slot.length === 0) {
    const [row] = await db.select({ sendCount: challenges.sendCount }).from(challenges).where(eq15(challenges.id, challenge.id));
    return { outcome: row.sendCount >= config2.OTP_MAX_SENDS ? "limit" : "cooldown" };
  }
  const acsTransID = ctx.txn.acsTransID;
  const refuse = async (refusal, detail) => {
    await recordRefusal(deps2, { to: phone2, acsTransID }, refusal, detail);
    deps2.log.warn("otp sms refused", { acsTransID, refusal, detail, to: maskNumber(phone2) });
    return { outcome: "failed", refusal };
  };
  const destination = await checkDestination(deps2, { phone: phone2, phoneStatus: member.phoneStatus, cardholderId: member.cardholderId });
  if (!destination.ok) return refuse(destination.refusal, destination.detail);
  if (breakerView(await readBreaker(deps2), clock.now(), deps2).sends === "no") return refuse("unavailable", "circuit breaker open");
  const counted = await countSend(deps2, { phone: phone2, clientIp: ctx.clientIp, bin: binOf(ctx) });
  if (!counted.ok) return refuse(counted.refusal, counted.detail);
  const permit = await acquireSend(deps2);
  if (!permit.ok) return refuse("unavailable", "circuit breaker open (another send is the probe)");
  const code2 = await issueOtp(deps2, acsTransID);
  const t = MESSAGES[ctx.lang];
  const amount = formatAmount(ctx.txn.purchaseAmount, ctx.txn.purchaseCurrency, ctx.txn.purchaseExponent, ctx.lang);
  const issuer = ctx.lang === "ja" ? config2.SMS_ISSUER_NAME ?? config2.ISSUER_NAME : config2.SMS_ISSUER_NAME_EN ?? config2.ISSUER_NAME_EN;
  const body = t.sms(issuer, code2, ctx.txn.merchantName ?? "", amount, Math.round(config2.OTP_TTL_SECONDS / 60));
  const delivery = await deliverSms(deps2, { to: phone2, body, acsTransID, otpCode: code2 }, { probe: permit.probe });
  return delivery.kind === "sent" ? { outcome: "sent" } : { outcome: "failed", refusal: "provider" };
}
function sendFailureText(t, result, issuerPhone) {
  switch (result.refusal) {
    case "provisional":
      return t.smsProvisional(issuerPhone);
    case "not_allowed":
      return t.smsNotAllowed(issuerPhone);
    case "rate_limited":
      return t.smsRateLimited(issuerPhone);
    case "unavailable":
      return t.smsUnavailable(issuerPhone);
    default:
      return t.smsFailed;
  }
}
function cooldownLeft(deps2, lastSentAt) {
  if (lastSentAt === null) return 0;
  return Math.max(0, Math.ceil((lastSentAt + deps2.config.OTP_RESEND_COOLDOWN_SECONDS * 1e3 - deps2.clock.now()) / 1e3));
}
function binOf(ctx) {
  const masked = typeof ctx.areq.acctNumber === "string" ? ctx.areq.acctNumber : "";
  return /^\d{6}/.test(masked) ? masked.slice(0, 6) : void 0;
}

// src/challenge/state-token.ts
async function signState(key, state) {
  const body = bytesToBase64url(new TextEncoder().encode(JSON.stringify(state)));
  return `${body}.${await hmacHex(key, `challenge-state|${body}`)}`;
}
async function verifyState(key, token) {
  if (typeof token !== "string" || token.length > 4096) return void 0;
  const [body, mac] = token.split(".");
  if (!body || !mac || !timingSafeEqual(mac, await hmacHex(key, `challenge-state|${body}`))) return void 0;
  try {
    const state = JSON.parse(new TextDecoder().decode(base64urlToBytes(body)));
    if (typeof state?.acsTransID !== "string" || state.lang !== "ja" && state.lang !== "en") return void 0;
    return state;
  } catch {
    return void 0;
  }
}

// src/members/password.ts
var ITERATIONS_PER_ROUND = 1e5;
var ROUNDS = 6;
async function hashPassword(password) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, ROUNDS, ITERATIONS_PER_ROUND);
  return `pbkdf2-sha256$${ROUNDS}x${ITERATIONS_PER_ROUND}$${bytesToBase64url(salt)}$${bytesToBase64url(hash)}`;
}
async function verifyPassword(password, stored) {
  const m = /^pbkdf2-sha256\$(\d+)x(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored ?? "");
  const salt = m ? base64urlToBytes(m[3]) : new Uint8Array(16);
  const hash = await derive(password, salt, m ? Number(m[1]) : ROUNDS, m ? Number(m[2]) : ITERATIONS_PER_ROUND);
  return !!m && timingSafeEqual(bytesToBase64url(hash), m[4]);
}
async function derive(password, salt, rounds, iterations) {
  let material = new TextEncoder().encode(password);
  for (let i = 0; i < rounds; i++) {
    const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
    material = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256));
  }
  return material;
}

// src/challenge/strategies.ts
var STRATEGIES = {
  sms_otp: {
    method: "sms_otp",
    authenticationType: "02",
    begin: (deps2, ctx) => sendOtp(deps2, ctx),
    verify: (deps2, ctx, secret2, idMatches) => consumeOtp(deps2, ctx.txn.acsTransID, secret2.trim(), idMatches)
  },
  password: {
    method: "password",
    authenticationType: "01",
    begin: async () => void 0,
    verify: async (_deps, ctx, secret2, idMatches) => {
      const ok = await verifyPassword(secret2, ctx.member?.passwordHash);
      return ok && idMatches;
    }
  }
};

// src/challenge/routes.tsx
import { jsx as jsx6, jsxs as jsxs5 } from "hono/jsx/jsx-runtime";
var CHALLENGE_IDLE_MS = 10 * 60 * 1e3;
var challengeRoutes = new Hono3();
challengeRoutes.post("/3ds/challenge", async (c) => {
  const deps2 = c.get("deps");
  const form = await c.req.parseBody().catch(() => ({}));
  const creqField = typeof form.creq === "string" ? form.creq : "";
  const sessionData = typeof form.threeDSSessionData === "string" ? form.threeDSSessionData : void 0;
  const parsed = decodeCReq(creqField);
  if (!parsed.ok) {
    const txn2 = await findTransaction(deps2.db, rawAcsTransID(creqField) ?? "");
    deps2.log.warn("creq refused", { errorCode: parsed.erro.errorCode, errorDetail: parsed.erro.errorDetail, known: !!txn2 });
    return txn2 ? refuseCReq(c, txn2, parsed.erro.errorCode, parsed.erro.errorDetail, sessionData) : cannotContinue(c, "ja");
  }
  const creq = parsed.creq;
  const txn = await findTransaction(deps2.db, creq.acsTransID);
  if (!txn) return cannotContinue(c, "ja");
  if (txn.transStatus !== "C") return refuseCReq(c, txn, "305", "acsTransID", sessionData);
  if (parsed.messageVersion !== txn.messageVersion) return refuseCReq(c, txn, "203", "messageVersion", sessionData);
  if (creq.threeDSServerTransID !== txn.threeDSServerTransID) return refuseCReq(c, txn, "203", "threeDSServerTransID", sessionData);
  const digest = await sha256Hex(JSON.stringify(creq));
  const lang = languageFor(JSON.parse(txn.areq).browserLanguage);
  if (txn.state === "ares_sent" && await startChallenge(deps2, txn, creq.challengeWindowSize, lang, digest)) {
    const ctx2 = await loadContext(deps2, txn.acsTransID, lang, sessionData);
    return begin(c, ctx2);
  }
  const now = await findTransaction(deps2.db, txn.acsTransID);
  const ctx = await loadContext(deps2, now.acsTransID, lang, sessionData);
  if (now.state === "challenge_started") {
    if (ctx.challenge?.creqDigest !== digest) return refuseCReq(c, now, "305", "CReq differs from the first CReq", sessionData);
    return renderForm(c, { ...ctx, lang: ctx.challenge.language ?? lang }, {});
  }
  if (now.state === "expired" && now.challengeCancel === "05") return refuseCReq(c, now, "402", "CReq received after the challenge timed out", sessionData);
  return renderEnded(c, ctx);
});
challengeRoutes.post("/3ds/challenge/submit", async (c) => {
  const deps2 = c.get("deps");
  return atLeast(ANSWER_FLOOR_MS, async () => {
    const step = await openStep(c);
    if (step.kind !== "open") return step.response;
    const { ctx, form } = step;
    const member = ctx.member;
    const strategy = STRATEGIES[ctx.challenge.method === "password" ? "password" : "sms_otp"];
    const now = deps2.clock.now();
    const claim2 = await claimAttempt(deps2.db, member.id, deps2.config.MAX_AUTH_ATTEMPTS, now);
    const typedId = String(form.memberId ?? "").trim();
    const idMatches = timingSafeEqual(typedId, member.loginId);
    const proved = await strategy.verify(deps2, ctx, String(form.secret ?? ""), claim2.allowed && idMatches);
    await deps2.db.update(transactions).set({ interactionCounter: sql6`${transactions.interactionCounter} + 1` }).where(eq16(transactions.acsTransID, ctx.txn.acsTransID));
    deps2.log.info("challenge attempt", { acsTransID: ctx.txn.acsTransID, memberId: member.id, count: claim2.count, checked: claim2.allowed, proved: claim2.allowed && proved });
    if (claim2.allowed && proved) {
      await clearAttempts(deps2.db, member.id, now);
      return renderEnded(c, { ...ctx, txn: await finishChallenge(deps2, ctx.txn, { kind: "success" }, strategy.method) });
    }
    if (!claim2.allowed || claim2.count >= deps2.config.MAX_AUTH_ATTEMPTS) {
      await lockMember(deps2.db, member.id, now);
      deps2.log.warn("member locked after wrong entries", { acsTransID: ctx.txn.acsTransID, memberId: member.id });
      return renderEnded(c, { ...ctx, txn: await finishChallenge(deps2, ctx.txn, { kind: "failed", reason: "19" }) });
    }
    const t = MESSAGES[ctx.lang];
    return renderForm(c, ctx, {
      error: strategy.method === "password" ? t.failedPassword : t.failed,
      remaining: deps2.config.MAX_AUTH_ATTEMPTS - claim2.count,
      memberId: typedId,
      status: 400
    });
  });
});
challengeRoutes.post("/3ds/challenge/resend", async (c) => {
  const deps2 = c.get("deps");
  const step = await openStep(c);
  if (step.kind !== "open") return step.response;
  const t = MESSAGES[step.ctx.lang];
  const result = await sendOtpFor(deps2, { ...step.ctx, clientIp: clientIp(c) });
  const outcome = result.outcome;
  if (outcome === "sent") return renderForm(c, step.ctx, { notice: t.resent });
  if (outcome === "cooldown") {
    const [row] = await deps2.db.select({ lastSentAt: challenges.lastSentAt }).from(challenges).where(eq16(challenges.acsTransID, step.ctx.txn.acsTransID));
    return renderForm(c, step.ctx, { error: t.resendWait(cooldownLeft(deps2, row.lastSentAt)), status: 429 });
  }
  const error = outcome === "limit" ? t.resendLimit : sendFailureText(t, result, deps2.config.ISSUER_PHONE);
  return renderForm(c, step.ctx, { error, status: outcome === "limit" ? 429 : 503 });
});
challengeRoutes.post("/3ds/challenge/cancel", async (c) => {
  const step = await openStep(c);
  if (step.kind !== "open") return step.response;
  return renderEnded(c, { ...step.ctx, txn: await finishChallenge(c.get("deps"), step.ctx.txn, { kind: "cancelled" }) });
});
challengeRoutes.post("/3ds/challenge/language", async (c) => {
  const step = await openStep(c, { touch: false });
  if (step.kind !== "open") return step.response;
  const lang = step.ctx.lang === "ja" ? "en" : "ja";
  await c.get("deps").db.update(challenges).set({ language: lang }).where(eq16(challenges.acsTransID, step.ctx.txn.acsTransID));
  return renderForm(c, { ...step.ctx, lang }, {});
});
async function startChallenge(deps2, txn, windowSize, lang, creqDigest) {
  const now = deps2.clock.now();
  await deps2.db.insert(challenges).values({
    acsTransID: txn.acsTransID,
    method: txn.challengeMethod ?? "sms_otp",
    challengeWindowSize: windowSize,
    language: lang,
    creqDigest,
    createdAt: now,
    lastActivityAt: now,
    expiresAt: now + CHALLENGE_IDLE_MS
  }).onConflictDoNothing();
  if (!await transition(deps2.db, txn.acsTransID, "challenge_started", now, {}, ["ares_sent"])) return false;
  await cancelTimer(deps2, "creq_timeout", txn.acsTransID);
  await scheduleTimer(deps2, "challenge_timeout", txn.acsTransID, now + CHALLENGE_IDLE_MS, true);
  return true;
}
async function begin(c, ctx) {
  const deps2 = c.get("deps");
  const method = ctx.txn.challengeMethod;
  if (method === "guidance_register" || method === "guidance_phone") {
    return renderEnded(c, { ...ctx, txn: await finishChallenge(deps2, ctx.txn, { kind: "failed", reason: "13" }) });
  }
  const t = MESSAGES[ctx.lang];
  const sent = method === "sms_otp" ? await sendOtpFor(deps2, { ...ctx, clientIp: clientIp(c) }) : void 0;
  return renderForm(c, ctx, sent && sent.outcome !== "sent" ? { error: sendFailureText(t, sent, deps2.config.ISSUER_PHONE) } : {});
}
async function openStep(c, options = { touch: true }) {
  const deps2 = c.get("deps");
  const form = await c.req.parseBody().catch(() => ({}));
  const state = await verifyState(deps2.keys.session, form.state);
  const ctx = state && await loadContext(deps2, state.acsTransID, state.lang, state.threeDSSessionData);
  if (!ctx || !ctx.challenge || !ctx.member) return { kind: "closed", response: await cannotContinue(c, state?.lang ?? "ja") };
  if (ctx.txn.state !== "challenge_started") return { kind: "closed", response: await renderEnded(c, ctx) };
  const now = deps2.clock.now();
  if (ctx.challenge.expiresAt <= now) {
    return { kind: "closed", response: await renderEnded(c, { ...ctx, txn: await finishChallenge(deps2, ctx.txn, { kind: "expired" }) }) };
  }
  if (options.touch) {
    await deps2.db.update(challenges).set({ lastActivityAt: now, expiresAt: now + CHALLENGE_IDLE_MS }).where(and11(eq16(challenges.id, ctx.challenge.id), eq16(challenges.state, "started")));
    await scheduleTimer(deps2, "challenge_timeout", ctx.txn.acsTransID, now + CHALLENGE_IDLE_MS, true);
  }
  return { kind: "open", ctx, form };
}
async function refuseCReq(c, txn, errorCode, errorDetail, sessionData) {
  const deps2 = c.get("deps");
  const lang = languageFor(JSON.parse(txn.areq).browserLanguage);
  const erro = buildErro({
    errorCode,
    errorDetail,
    errorMessageType: "CReq",
    messageVersion: txn.messageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    dsTransID: txn.dsTransID,
    acsTransID: txn.acsTransID
  });
  if (txn.state === "ares_sent" || txn.state === "challenge_started") {
    const challengeCancel = txn.messageVersion === "2.3.1" ? "10" : "06";
    await finishChallenge(deps2, txn, { kind: "error", reason: "07", challengeCancel });
  }
  const post = txn.notificationURL ? erroPost(txn.notificationURL, erro, sessionData) : void 0;
  return cannotContinue(c, lang, post, brandingFor(deps2, txn));
}
function brandingFor(deps2, txn) {
  const { config: config2 } = deps2;
  const marks = { jcb: config2.BRAND_MARK_JCB, visa: config2.BRAND_MARK_VISA, mastercard: config2.BRAND_MARK_MASTERCARD };
  return { issuerName: config2.ISSUER_NAME, issuerLogo: config2.ISSUER_LOGO, brand: txn.brand, brandMark: marks[txn.brand] };
}
function purchaseOf(ctx) {
  return {
    merchant: ctx.txn.merchantName ?? "",
    amount: formatAmount(ctx.txn.purchaseAmount, ctx.txn.purchaseCurrency, ctx.txn.purchaseExponent, ctx.lang),
    date: formatPurchaseDate(ctx.areq.purchaseDate, ctx.lang),
    last4: ctx.txn.panLast4
  };
}
async function renderForm(c, ctx, o) {
  const deps2 = c.get("deps");
  const t = MESSAGES[ctx.lang];
  const state = await signState(deps2.keys.session, { acsTransID: ctx.txn.acsTransID, lang: ctx.lang, threeDSSessionData: ctx.threeDSSessionData });
  const method = ctx.challenge?.method === "password" ? "password" : "sms_otp";
  return c.html(
    /* @__PURE__ */ jsxs5(ChallengeShell, { lang: ctx.lang, t, branding: brandingFor(deps2, ctx.txn), windowSize: ctx.challenge?.challengeWindowSize ?? void 0, children: [
      /* @__PURE__ */ jsx6(PurchaseSummary, { t, purchase: purchaseOf(ctx) }),
      /* @__PURE__ */ jsx6(
        ChallengeForm,
        {
          t,
          method,
          state,
          personalMessage: ctx.member?.personalMessage,
          memberId: o.memberId,
          phoneMasked: maskPhone(ctx.member?.phone ?? null),
          error: o.error,
          notice: o.notice,
          remaining: o.remaining,
          issuerPhone: deps2.config.ISSUER_PHONE
        }
      )
    ] }),
    o.status ?? 200
  );
}
async function renderEnded(c, ctx) {
  const deps2 = c.get("deps");
  const t = MESSAGES[ctx.lang];
  const txn = ctx.txn;
  const post = finalPost(txn, ctx.threeDSSessionData);
  const phone2 = deps2.config.ISSUER_PHONE;
  let ending;
  if (txn.finalTransStatus === "Y") ending = { heading: t.successHeading, auto: true };
  else if (txn.state === "cancelled" || txn.challengeCancel === "01") ending = { heading: t.cancelledHeading, auto: true };
  else if (txn.finalTransStatusReason === "19") ending = { heading: t.lockedHeading, text: t.locked(phone2), auto: false };
  else if (txn.finalTransStatusReason === "13" && txn.challengeMethod === "guidance_phone") ending = { heading: t.phoneHeading, text: t.phone(phone2), auto: false };
  else if (txn.finalTransStatusReason === "13") ending = { heading: t.registerHeading, text: t.register, auto: false };
  else if (txn.finalTransStatusReason === "14") ending = { heading: t.expiredHeading, text: t.expired, auto: false };
  else return cannotContinue(c, ctx.lang, void 0, brandingFor(deps2, txn));
  return c.html(
    /* @__PURE__ */ jsxs5(ChallengeShell, { lang: ctx.lang, t, branding: brandingFor(deps2, txn), windowSize: ctx.challenge?.challengeWindowSize ?? void 0, children: [
      /* @__PURE__ */ jsx6(PurchaseSummary, { t, purchase: purchaseOf(ctx) }),
      /* @__PURE__ */ jsx6(Ending, { t, heading: ending.heading, text: ending.text, post, auto: ending.auto, issuerPhone: ending.auto ? void 0 : phone2 })
    ] })
  );
}
async function cannotContinue(c, lang, post, branding) {
  const deps2 = c.get("deps");
  const t = MESSAGES[lang];
  const brand = branding ?? { issuerName: deps2.config.ISSUER_NAME, issuerLogo: deps2.config.ISSUER_LOGO, brand: "jcb" };
  return c.html(
    /* @__PURE__ */ jsx6(ChallengeShell, { lang, t, branding: { ...brand, brandMark: branding?.brandMark }, children: /* @__PURE__ */ jsx6(Ending, { t, heading: t.cannotContinueHeading, text: t.cannotContinue, post, auto: false, issuerPhone: deps2.config.ISSUER_PHONE }) }),
    400
  );
}
function rawAcsTransID(creqField) {
  const decoded = decodeJsonBase64Url(creqField);
  const value = decoded.ok ? decoded.value : void 0;
  return typeof value?.acsTransID === "string" && /^[0-9a-f-]{36}$/i.test(value.acsTransID) ? value.acsTransID : void 0;
}

// src/sandbox/routes.tsx
import { desc as desc2, eq as eq20 } from "drizzle-orm";
import { Hono as Hono5 } from "hono";

// views/sandbox/lists.tsx
import { Fragment as Fragment3, jsx as jsx7, jsxs as jsxs6 } from "hono/jsx/jsx-runtime";
function SandboxHeader() {
  return /* @__PURE__ */ jsxs6("header", { class: "masthead", children: [
    /* @__PURE__ */ jsx7("img", { src: "/static/img/mamori.svg", alt: "", width: "32", height: "32" }),
    /* @__PURE__ */ jsxs6("p", { class: "brand", children: [
      /* @__PURE__ */ jsx7("a", { href: "/", children: "Mamori" }),
      " / ",
      /* @__PURE__ */ jsx7("a", { href: "/sandbox", children: "Sandbox" })
    ] }),
    /* @__PURE__ */ jsxs6("nav", { class: "sandbox-nav", "aria-label": "sandbox", children: [
      /* @__PURE__ */ jsx7("a", { href: "/sandbox/cards", children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u30C6\u30B9\u30C8\u30AB\u30FC\u30C9", en: "Demo cards" }) }),
      /* @__PURE__ */ jsx7("a", { href: "/sandbox/sms", children: /* @__PURE__ */ jsx7(Bilingual, { ja: "SMS\u9001\u4FE1\u7BB1", en: "SMS outbox" }) })
    ] })
  ] });
}
function SmsOutboxPage({ rows }) {
  return /* @__PURE__ */ jsxs6(Page, { title: "SMS outbox / SMS\u9001\u4FE1\u7BB1", children: [
    /* @__PURE__ */ jsx7(SandboxHeader, {}),
    /* @__PURE__ */ jsxs6("main", { class: "container", children: [
      /* @__PURE__ */ jsx7("h1", { children: /* @__PURE__ */ jsx7(Bilingual, { ja: "SMS\u9001\u4FE1\u7BB1", en: "SMS outbox" }) }),
      /* @__PURE__ */ jsx7("p", { class: "muted", children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u958B\u767A\u7528\uFF1ASMS\u306F\u9001\u4FE1\u3055\u308C\u305A\u3001\u3053\u3053\u306B\u5C4A\u304D\u307E\u3059\uFF083\u79D2\u3054\u3068\u306B\u66F4\u65B0\uFF09\u3002", en: "Development only: no SMS leaves the machine; they land here (refreshes every 3 s)." }) }),
      /* @__PURE__ */ jsx7("div", { "hx-get": "/sandbox/sms", "hx-trigger": "every 3s", "hx-select": "#sms-list", "hx-target": "#sms-list", "hx-swap": "outerHTML", children: /* @__PURE__ */ jsxs6("ol", { id: "sms-list", class: "sms-list", "aria-live": "polite", children: [
        rows.length === 0 && /* @__PURE__ */ jsx7("li", { class: "muted", children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u307E\u3060\u3042\u308A\u307E\u305B\u3093\u3002", en: "Nothing yet." }) }),
        rows.map((r) => /* @__PURE__ */ jsxs6("li", { class: "sms", "data-acs-trans-id": r.acsTransID ?? "", children: [
          /* @__PURE__ */ jsxs6("p", { class: "sms-meta", children: [
            /* @__PURE__ */ jsx7("strong", { children: r.recipient }),
            " \xB7 ",
            new Date(r.createdAt).toISOString().replace("T", " ").slice(0, 19),
            " UTC",
            r.otpCode && /* @__PURE__ */ jsxs6(Fragment3, { children: [
              " ",
              "\xB7 OTP ",
              /* @__PURE__ */ jsx7("code", { class: "otp", children: r.otpCode })
            ] })
          ] }),
          /* @__PURE__ */ jsx7("pre", { children: r.body }),
          r.acsTransID && /* @__PURE__ */ jsxs6("p", { class: "muted small", children: [
            "acsTransID ",
            r.acsTransID
          ] })
        ] }))
      ] }) })
    ] })
  ] });
}
function DemoCardsPage({ cards: cards2 }) {
  return /* @__PURE__ */ jsxs6(Page, { title: "Demo cards / \u30C6\u30B9\u30C8\u30AB\u30FC\u30C9", children: [
    /* @__PURE__ */ jsx7(SandboxHeader, {}),
    /* @__PURE__ */ jsxs6("main", { class: "container", children: [
      /* @__PURE__ */ jsx7("h1", { children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u30C6\u30B9\u30C8\u30AB\u30FC\u30C9", en: "Demo cards" }) }),
      /* @__PURE__ */ jsx7("p", { class: "muted", children: /* @__PURE__ */ jsx7(
        Bilingual,
        {
          ja: "\u30C7\u30E2\u7528\u306E\u30AB\u30FC\u30C9\u4F1A\u793E\u306E\u30AB\u30FC\u30C9\u3067\u3059\u3002\u672C\u756A\u306E\u30AB\u30FC\u30C9\u756A\u53F7\u3067\u306F\u3042\u308A\u307E\u305B\u3093\uFF08Luhn\u30C1\u30A7\u30C3\u30AF\u306F\u901A\u308A\u307E\u3059\uFF09\u3002",
          en: "Cards of the demo issuer. Not real card numbers (they pass the Luhn check)."
        }
      ) }),
      /* @__PURE__ */ jsx7("div", { class: "table-wrap", children: /* @__PURE__ */ jsxs6("table", { children: [
        /* @__PURE__ */ jsx7("thead", { children: /* @__PURE__ */ jsxs6("tr", { children: [
          /* @__PURE__ */ jsx7("th", { children: "PAN" }),
          /* @__PURE__ */ jsx7("th", { children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u6709\u52B9\u671F\u9650", en: "Expiry" }) }),
          /* @__PURE__ */ jsx7("th", { children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u30D6\u30E9\u30F3\u30C9", en: "Brand" }) }),
          /* @__PURE__ */ jsx7("th", { children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u4F1A\u54E1ID / \u30D1\u30B9\u30EF\u30FC\u30C9", en: "Member ID / password" }) }),
          /* @__PURE__ */ jsx7("th", { children: /* @__PURE__ */ jsx7(Bilingual, { ja: "\u7528\u9014\u30FB\u7D50\u679C", en: "What it is for" }) })
        ] }) }),
        /* @__PURE__ */ jsx7("tbody", { children: cards2.map((c) => /* @__PURE__ */ jsxs6("tr", { children: [
          /* @__PURE__ */ jsx7("td", { children: /* @__PURE__ */ jsx7("code", { title: maskPan(c.pan), children: c.pan }) }),
          /* @__PURE__ */ jsxs6("td", { children: [
            c.expiry.slice(2),
            "/",
            c.expiry.slice(0, 2)
          ] }),
          /* @__PURE__ */ jsx7("td", { children: c.brand }),
          /* @__PURE__ */ jsxs6("td", { children: [
            c.member?.loginId ?? "\u2014",
            c.member?.password && /* @__PURE__ */ jsxs6(Fragment3, { children: [
              " / ",
              /* @__PURE__ */ jsx7("code", { children: c.member.password })
            ] })
          ] }),
          /* @__PURE__ */ jsxs6("td", { children: [
            /* @__PURE__ */ jsx7(Bilingual, { ja: c.purpose.ja, en: c.purpose.en }),
            /* @__PURE__ */ jsx7("small", { class: "muted", children: c.outcome })
          ] })
        ] })) })
      ] }) })
    ] })
  ] });
}

// views/sandbox/merchant.tsx
import { jsx as jsx8, jsxs as jsxs7 } from "hono/jsx/jsx-runtime";
function SandboxMerchantPage({ cards: cards2 }) {
  return /* @__PURE__ */ jsxs7(Page, { title: "Sandbox \u2014 test merchant / \u30C6\u30B9\u30C8\u52A0\u76DF\u5E97", scripts: ["/static/vendor/globalpayments-3ds.min.js", "/static/js/sandbox.js"], children: [
    /* @__PURE__ */ jsxs7("header", { class: "masthead", children: [
      /* @__PURE__ */ jsx8("img", { src: "/static/img/mamori.svg", alt: "", width: "32", height: "32" }),
      /* @__PURE__ */ jsxs7("p", { class: "brand", children: [
        /* @__PURE__ */ jsx8("a", { href: "/", children: "Mamori" }),
        " / ",
        /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30B5\u30F3\u30C9\u30DC\u30C3\u30AF\u30B9", en: "Sandbox" })
      ] }),
      /* @__PURE__ */ jsxs7("nav", { class: "sandbox-nav", "aria-label": "sandbox", children: [
        /* @__PURE__ */ jsx8("a", { href: "/sandbox/cards", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30C6\u30B9\u30C8\u30AB\u30FC\u30C9", en: "Demo cards" }) }),
        /* @__PURE__ */ jsx8("a", { href: "/sandbox/sms", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "SMS\u9001\u4FE1\u7BB1", en: "SMS outbox" }) })
      ] })
    ] }),
    /* @__PURE__ */ jsxs7("main", { class: "container sandbox", children: [
      /* @__PURE__ */ jsx8("h1", { children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30C6\u30B9\u30C8\u52A0\u76DF\u5E97\u3067\u8CFC\u5165\u3059\u308B", en: "Buy at the test merchant" }) }),
      /* @__PURE__ */ jsxs7("div", { class: "sandbox-grid", children: [
        /* @__PURE__ */ jsxs7("form", { id: "checkout", class: "checkout", novalidate: true, children: [
          /* @__PURE__ */ jsx8("label", { for: "card", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30C6\u30B9\u30C8\u30AB\u30FC\u30C9", en: "Demo card" }) }),
          /* @__PURE__ */ jsxs7("select", { id: "card", name: "card", children: [
            cards2.map((c) => /* @__PURE__ */ jsxs7("option", { value: c.pan, "data-key": c.key, children: [
              c.brand.toUpperCase(),
              " \u2026",
              c.pan.slice(-4),
              " \u2014 ",
              c.purpose.ja,
              " / ",
              c.purpose.en
            ] })),
            /* @__PURE__ */ jsx8("option", { value: "", children: "\u2014 PAN\u3092\u5165\u529B / type a PAN \u2014" })
          ] }),
          /* @__PURE__ */ jsx8("label", { for: "pan", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30AB\u30FC\u30C9\u756A\u53F7\uFF08\u4EFB\u610F\uFF09", en: "Card number (optional, overrides the card above)" }) }),
          /* @__PURE__ */ jsx8("input", { id: "pan", name: "pan", type: "text", inputmode: "numeric", autocomplete: "off", maxlength: 19 }),
          /* @__PURE__ */ jsxs7("div", { class: "row", children: [
            /* @__PURE__ */ jsxs7("div", { children: [
              /* @__PURE__ */ jsx8("label", { for: "amount", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u91D1\u984D", en: "Amount" }) }),
              /* @__PURE__ */ jsx8("input", { id: "amount", name: "amount", type: "text", inputmode: "decimal", value: "12800", required: true })
            ] }),
            /* @__PURE__ */ jsxs7("div", { children: [
              /* @__PURE__ */ jsx8("label", { for: "currency", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u901A\u8CA8", en: "Currency" }) }),
              /* @__PURE__ */ jsxs7("select", { id: "currency", name: "currency", children: [
                /* @__PURE__ */ jsx8("option", { value: "392", children: "JPY (392)" }),
                /* @__PURE__ */ jsx8("option", { value: "840", children: "USD (840)" }),
                /* @__PURE__ */ jsx8("option", { value: "978", children: "EUR (978)" })
              ] })
            ] })
          ] }),
          /* @__PURE__ */ jsx8("label", { for: "merchantName", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u52A0\u76DF\u5E97\u540D", en: "Merchant name" }) }),
          /* @__PURE__ */ jsx8("input", { id: "merchantName", name: "merchantName", type: "text", value: "\u307E\u3082\u308A\u30B9\u30C8\u30A2", maxlength: 40, required: true }),
          /* @__PURE__ */ jsx8("label", { for: "challengeInd", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30C1\u30E3\u30EC\u30F3\u30B8\u6307\u5B9A\uFF08threeDSRequestorChallengeInd\uFF09", en: "Challenge indicator" }) }),
          /* @__PURE__ */ jsxs7("select", { id: "challengeInd", name: "challengeInd", children: [
            /* @__PURE__ */ jsx8("option", { value: "01", children: "01 \u2014 no preference" }),
            /* @__PURE__ */ jsx8("option", { value: "02", children: "02 \u2014 no challenge requested" }),
            /* @__PURE__ */ jsx8("option", { value: "03", children: "03 \u2014 challenge requested" }),
            /* @__PURE__ */ jsx8("option", { value: "04", children: "04 \u2014 challenge mandated" }),
            /* @__PURE__ */ jsx8("option", { value: "06", children: "06 \u2014 data share only" })
          ] }),
          /* @__PURE__ */ jsxs7("div", { class: "row", children: [
            /* @__PURE__ */ jsxs7("div", { children: [
              /* @__PURE__ */ jsx8("label", { for: "messageVersion", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30D0\u30FC\u30B8\u30E7\u30F3", en: "Version" }) }),
              /* @__PURE__ */ jsxs7("select", { id: "messageVersion", name: "messageVersion", children: [
                /* @__PURE__ */ jsx8("option", { value: "2.2.0", children: "2.2.0" }),
                /* @__PURE__ */ jsx8("option", { value: "2.3.1", children: "2.3.1" })
              ] })
            ] }),
            /* @__PURE__ */ jsxs7("div", { children: [
              /* @__PURE__ */ jsx8("label", { for: "windowSize", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u753B\u9762\u30B5\u30A4\u30BA", en: "Window size" }) }),
              /* @__PURE__ */ jsxs7("select", { id: "windowSize", name: "windowSize", children: [
                /* @__PURE__ */ jsx8("option", { value: "WINDOWED_250X400", children: "01 \u2014 250\xD7400" }),
                /* @__PURE__ */ jsx8("option", { value: "WINDOWED_390X400", selected: true, children: "02 \u2014 390\xD7400" }),
                /* @__PURE__ */ jsx8("option", { value: "WINDOWED_500X600", children: "03 \u2014 500\xD7600" }),
                /* @__PURE__ */ jsx8("option", { value: "WINDOWED_600X400", children: "04 \u2014 600\xD7400" }),
                /* @__PURE__ */ jsx8("option", { value: "FULL_SCREEN", children: "05 \u2014 full page" })
              ] })
            ] })
          ] }),
          /* @__PURE__ */ jsx8("label", { for: "dsMode", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "DS\u306E\u5FDC\u7B54\uFF08RReq\uFF09", en: "DS behaviour for the RReq" }) }),
          /* @__PURE__ */ jsxs7("select", { id: "dsMode", name: "dsMode", children: [
            /* @__PURE__ */ jsx8("option", { value: "ok", children: "answers RRes" }),
            /* @__PURE__ */ jsx8("option", { value: "fail-twice", children: "fails twice, then answers" }),
            /* @__PURE__ */ jsx8("option", { value: "fail", children: "always fails (HTTP 500)" }),
            /* @__PURE__ */ jsx8("option", { value: "late", children: "answers late (6 s)" }),
            /* @__PURE__ */ jsx8("option", { value: "garbage", children: "answers garbage" })
          ] }),
          /* @__PURE__ */ jsx8("button", { type: "submit", id: "buy", class: "primary", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u8CFC\u5165\u3059\u308B", en: "Buy" }) })
        ] }),
        /* @__PURE__ */ jsxs7("section", { class: "result", "aria-labelledby": "result-heading", children: [
          /* @__PURE__ */ jsx8("h2", { id: "result-heading", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u8A8D\u8A3C", en: "Authentication" }) }),
          /* @__PURE__ */ jsx8("p", { id: "outcome", role: "status", "aria-live": "polite", class: "muted", children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30AB\u30FC\u30C9\u3092\u9078\u3093\u3067\u300C\u8CFC\u5165\u3059\u308B\u300D\u3092\u62BC\u3057\u3066\u304F\u3060\u3055\u3044\u3002", en: "Pick a card and press Buy." }) }),
          /* @__PURE__ */ jsx8("div", { id: "challenge-frame", class: "challenge-frame" }),
          /* @__PURE__ */ jsx8("h2", { children: /* @__PURE__ */ jsx8(Bilingual, { ja: "\u30E1\u30C3\u30BB\u30FC\u30B8", en: "Messages" }) }),
          /* @__PURE__ */ jsx8("ol", { id: "exchange", class: "exchange" })
        ] })
      ] })
    ] })
  ] });
}

// src/sandbox/demo-issuer.ts
import { count as count2, eq as eq17 } from "drizzle-orm";
var DEMO_RANGES = [
  { brand: "jcb", rangeStart: "35699900", rangeEnd: "35699999", label: "Demo JCB" },
  { brand: "visa", rangeStart: "49999900", rangeEnd: "49999999", label: "Demo Visa" },
  { brand: "mastercard", rangeStart: "55999900", rangeEnd: "55999999", label: "Demo Mastercard" }
];
var BIN = { jcb: "35699900", visa: "49999900", mastercard: "55999900" };
function demoPan(brand, serial) {
  return withLuhnDigit(BIN[brand] + String(serial).padStart(7, "0"));
}
var LIVE = "3012";
var DEMO_CARDS = [
  {
    key: "jcb-otp",
    outcome: "Y (ECI 05) below \xA530,000; C (SMS OTP) at or above, or with challenge indicator 04",
    pan: demoPan("jcb", 1),
    expiry: LIVE,
    brand: "jcb",
    status: "active",
    purpose: { ja: "SMS\u8A8D\u8A3C\u306E\u4F1A\u54E1\uFF1A\xA530,000\u672A\u6E80\u306F\u305D\u306E\u307E\u307E\u627F\u8A8D\u3001\u4EE5\u4E0A\u306F\u8A8D\u8A3C\u753B\u9762", en: "OTP member: frictionless below \xA530,000, challenged at or above it" },
    member: { loginId: "demo-jcb", status: "active", authMethod: "sms_otp", phone: "+819011110001", phoneStatus: "verified", personalMessage: "\u5EAD\u306E\u3055\u304F\u3089\u304C\u54B2\u304D\u307E\u3057\u305F" }
  },
  {
    key: "visa-otp",
    outcome: "Y (ECI 05) below the threshold; C (SMS OTP) above",
    pan: demoPan("visa", 1),
    expiry: LIVE,
    brand: "visa",
    status: "active",
    purpose: { ja: "SMS\u8A8D\u8A3C\u306E\u4F1A\u54E1\uFF08Visa\uFF09", en: "OTP member (Visa)" },
    member: { loginId: "demo-visa", status: "active", authMethod: "sms_otp", phone: "+819011110002", phoneStatus: "verified", personalMessage: "Blue bicycle, 1998" }
  },
  {
    key: "mc-otp",
    outcome: "Y (ECI 02) below the threshold; C (SMS OTP) above",
    pan: demoPan("mastercard", 1),
    expiry: LIVE,
    brand: "mastercard",
    status: "active",
    purpose: { ja: "SMS\u8A8D\u8A3C\u306E\u4F1A\u54E1\uFF08Mastercard\uFF09", en: "OTP member (Mastercard)" },
    member: { loginId: "demo-mc", status: "active", authMethod: "sms_otp", phone: "+819011110003", phoneStatus: "verified", personalMessage: "\u5BCC\u58EB\u5C71\u3068\u671D\u3054\u306F\u3093" }
  },
  {
    key: "jcb-password",
    outcome: "Y below the threshold; C (static password) above",
    pan: demoPan("jcb", 2),
    expiry: LIVE,
    brand: "jcb",
    status: "active",
    purpose: { ja: "\u56FA\u5B9A\u30D1\u30B9\u30EF\u30FC\u30C9\u306E\u4F1A\u54E1\uFF08\u5F93\u6765\u65B9\u5F0F\uFF09", en: "Static password member (legacy)" },
    member: { loginId: "demo-pass", status: "active", authMethod: "password", phoneStatus: "none", password: "Mamori-2026", personalMessage: "\u9752\u3044\u5098" }
  },
  {
    key: "mc-no-otp",
    outcome: "Y below the threshold; above: C with a page asking to register a phone, ends N/13",
    pan: demoPan("mastercard", 2),
    expiry: LIVE,
    brand: "mastercard",
    status: "active",
    purpose: { ja: "\u643A\u5E2F\u756A\u53F7\u672A\u767B\u9332\u306EMastercard\u4F1A\u54E1\uFF1A\u56FA\u5B9A\u30D1\u30B9\u30EF\u30FC\u30C9\u306F\u4F7F\u3048\u305A\u3001\u6848\u5185\u753B\u9762", en: "Mastercard member without an OTP phone: no static password, guidance page" },
    member: { loginId: "demo-mc-pass", status: "active", authMethod: "password", phoneStatus: "none", password: "Mamori-2026" }
  },
  {
    key: "visa-unregistered",
    outcome: "C with registration guidance, ends N/13 (N/13 at once with PROVISIONAL_POLICY=reject)",
    pan: demoPan("visa", 2),
    expiry: LIVE,
    brand: "visa",
    status: "active",
    purpose: { ja: "\u672C\u4EBA\u8A8D\u8A3C\u30B5\u30FC\u30D3\u30B9\u672A\u767B\u9332\uFF1A\u767B\u9332\u306E\u6848\u5185\uFF08\u307E\u305F\u306FN/13\uFF09", en: "Not registered: registration guidance (or N/13)" }
  },
  {
    key: "jcb-provisional-phone",
    outcome: "Y below the threshold; above: C with phone guidance, ends N/13",
    pan: demoPan("jcb", 3),
    expiry: LIVE,
    brand: "jcb",
    status: "active",
    phoneProvisional: true,
    purpose: { ja: "\u30AB\u30FC\u30C9\u4F1A\u793E\u304C\u4EEE\u306E\u643A\u5E2F\u756A\u53F7\u3092\u767B\u9332\uFF1A\u96FB\u8A71\u756A\u53F7\u767B\u9332\u306E\u6848\u5185", en: "Provisional phone number set by the issuer: phone registration guidance" },
    member: { loginId: "demo-provisional", status: "active", authMethod: "sms_otp", phone: "+819000000000", phoneStatus: "provisional" }
  },
  {
    key: "visa-locked",
    outcome: "N/19",
    pan: demoPan("visa", 3),
    expiry: LIVE,
    brand: "visa",
    status: "active",
    purpose: { ja: "\u30ED\u30C3\u30AF\u4E2D\u306E\u4F1A\u54E1\uFF1A\u8A8D\u8A3C\u4E0D\u53EF\uFF08N/19\uFF09", en: "Locked member: declined (N/19)" },
    member: { loginId: "demo-locked", status: "locked", authMethod: "sms_otp", phone: "+819011110004", phoneStatus: "verified" }
  },
  {
    key: "jcb-expired",
    outcome: "N/05",
    pan: demoPan("jcb", 4),
    expiry: "2401",
    brand: "jcb",
    status: "active",
    purpose: { ja: "\u6709\u52B9\u671F\u9650\u5207\u308C\u306E\u30AB\u30FC\u30C9\uFF08N/05\uFF09", en: "Expired card (N/05)" },
    member: { loginId: "demo-expired", status: "active", authMethod: "sms_otp", phone: "+819011110005", phoneStatus: "verified" }
  },
  {
    key: "visa-stolen",
    outcome: "R/10",
    pan: demoPan("visa", 4),
    expiry: LIVE,
    brand: "visa",
    status: "blocked_stolen",
    purpose: { ja: "\u76D7\u96E3\u5C4A\u306E\u3042\u308B\u30AB\u30FC\u30C9\uFF08R/10\uFF09", en: "Card blocked as stolen (R/10)" },
    member: { loginId: "demo-stolen", status: "active", authMethod: "sms_otp", phone: "+819011110006", phoneStatus: "verified" }
  },
  {
    key: "jcb-reissued-old",
    outcome: "N/06",
    pan: demoPan("jcb", 5),
    expiry: LIVE,
    brand: "jcb",
    status: "replaced",
    purpose: { ja: "\u518D\u767A\u884C\u524D\u306E\u65E7\u30AB\u30FC\u30C9\u756A\u53F7\uFF08N/06\uFF09", en: "Old number of a reissued card (N/06)" },
    member: { loginId: "demo-reissue", status: "active", authMethod: "sms_otp", phone: "+819011110007", phoneStatus: "verified", personalMessage: "\u65B0\u3057\u3044\u30AB\u30FC\u30C9\u3067\u3082\u540C\u3058ID\u3067\u3059" }
  },
  {
    key: "jcb-reissued-new",
    outcome: "Y below the threshold; C (SMS OTP, member demo-reissue) above",
    pan: demoPan("jcb", 6),
    expiry: LIVE,
    brand: "jcb",
    status: "active",
    sameCardholderAs: "jcb-reissued-old",
    purpose: { ja: "\u518D\u767A\u884C\u5F8C\u306E\u65B0\u30AB\u30FC\u30C9\uFF1A\u540C\u3058\u4F1A\u54E1ID\u3067\u5229\u7528\u53EF", en: "New number after reissue: same member ID works" }
  }
];
async function seedDemoIssuer(deps2) {
  const { db, clock, keys } = deps2;
  const [{ value: ranges }] = await db.select({ value: count2() }).from(binRanges);
  if (ranges > 0) return false;
  const now = clock.now();
  await db.insert(binRanges).values(DEMO_RANGES.map((r) => ({ ...r, createdAt: now })));
  const cardIds = /* @__PURE__ */ new Map();
  for (const [i, demo] of DEMO_CARDS.entries()) {
    let cardholderId = demo.sameCardholderAs ? cardIds.get(demo.sameCardholderAs)?.cardholderId : void 0;
    if (cardholderId === void 0) {
      const [holder] = await db.insert(cardholders).values({
        customerRef: `DEMO-${String(i + 1).padStart(4, "0")}`,
        name: `\u30C7\u30E2 \u4F1A\u54E1${i + 1}`,
        phoneOnFile: demo.member?.phone ?? null,
        phoneProvisional: demo.phoneProvisional ?? false,
        createdAt: now
      }).returning({ id: cardholders.id });
      cardholderId = holder.id;
      if (demo.member) {
        const m = demo.member;
        await db.insert(members).values({
          cardholderId,
          loginId: m.loginId,
          passwordHash: m.password ? await hashPassword(m.password) : null,
          authMethod: m.authMethod,
          phone: m.phone ?? null,
          phoneStatus: m.phoneStatus,
          personalMessage: m.personalMessage ?? null,
          status: m.status,
          lockedAt: m.status === "locked" ? now : null,
          termsAcceptedAt: now,
          createdAt: now,
          updatedAt: now
        });
      }
    }
    const cardId = await insertCard(db, keys, clock, cardholderId, { pan: demo.pan, expiry: demo.expiry, brand: demo.brand, status: demo.status });
    cardIds.set(demo.key, { cardId, cardholderId });
  }
  const oldCard = cardIds.get("jcb-reissued-old");
  const newCard = cardIds.get("jcb-reissued-new");
  if (oldCard && newCard) await db.update(cards).set({ replacedByCardId: newCard.cardId }).where(eq17(cards.id, oldCard.cardId));
  deps2.log.info("demo issuer seeded", { ranges: DEMO_RANGES.length, cards: DEMO_CARDS.length });
  return true;
}

// src/sandbox/exchange.ts
import { asc, eq as eq18 } from "drizzle-orm";
async function recordExchange(deps2, threeDSServerTransID, step, messageType, body, ms) {
  const masked = typeof body === "object" && body !== null && "acctNumber" in body ? { ...body, acctNumber: maskPan(String(body.acctNumber)) } : body;
  await deps2.db.insert(sandboxMessages).values({
    threeDSServerTransID,
    step,
    messageType,
    body: typeof masked === "string" ? masked : JSON.stringify(masked),
    ms: ms ?? null,
    createdAt: deps2.clock.now()
  });
}
async function exchangeOf(deps2, threeDSServerTransID) {
  const rows = await deps2.db.select().from(sandboxMessages).where(eq18(sandboxMessages.threeDSServerTransID, threeDSServerTransID)).orderBy(asc(sandboxMessages.id));
  return rows.map((r) => ({ step: r.step, messageType: r.messageType, body: parseOrText(r.body), ms: r.ms, at: r.createdAt }));
}
function parseOrText(body) {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

// src/sandbox/merchant.ts
import { Hono as Hono4 } from "hono";
import { and as and12, count as count3, eq as eq19 } from "drizzle-orm";
import { z as z10 } from "zod";

// views/sandbox/notify.tsx
import { jsx as jsx9 } from "hono/jsx/jsx-runtime";
function NotifyParentPage(props) {
  return /* @__PURE__ */ jsx9(Page, { title: "Notification", htmx: false, framed: true, scripts: ["/static/js/sandbox-notify.js"], children: /* @__PURE__ */ jsx9("div", { id: "notification", "data-event": props.event, "data-message": JSON.stringify(props.data) }) });
}

// src/sandbox/areq-builder.ts
function browserAReq(o) {
  const v231 = o.messageVersion === "2.3.1";
  const areq = {
    messageType: "AReq",
    messageVersion: o.messageVersion ?? "2.2.0",
    messageCategory: "01",
    deviceChannel: "02",
    threeDSServerTransID: o.threeDSServerTransID ?? crypto.randomUUID(),
    dsTransID: crypto.randomUUID(),
    dsReferenceNumber: "DS-REF-TEST-0001",
    dsURL: o.dsURL ?? "https://ds.example.test/rreq",
    threeDSServerRefNumber: "3DS_LOA_SER_TEST_020200_00001",
    threeDSServerOperatorID: "TEST-OPERATOR",
    threeDSServerURL: "https://3ds-server.example.test/rres",
    threeDSRequestorID: "REQ-0001",
    threeDSRequestorName: "Test Merchant",
    threeDSRequestorURL: "https://merchant.example.test",
    threeDSRequestorAuthenticationInd: "01",
    threeDSCompInd: o.threeDSCompInd ?? "N",
    acquirerBIN: "400551",
    acquirerMerchantID: "MERCHANT-0001",
    mcc: "5411",
    merchantCountryCode: "392",
    merchantName: o.merchantName ?? "\u307E\u3082\u308A\u30B9\u30C8\u30A2",
    acctNumber: o.pan,
    cardExpiryDate: "3012",
    purchaseAmount: o.purchaseAmount ?? "1200",
    purchaseCurrency: o.purchaseCurrency ?? "392",
    purchaseExponent: o.purchaseExponent ?? "0",
    purchaseDate: o.purchaseDate ?? "20260115120000",
    transType: "01",
    notificationURL: o.notificationURL ?? "https://merchant.example.test/3ds/notify",
    browserAcceptHeader: "text/html,application/xhtml+xml",
    browserIP: "192.0.2.10",
    browserJavaEnabled: false,
    browserJavascriptEnabled: true,
    browserLanguage: o.browserLanguage ?? "ja-JP",
    browserColorDepth: "24",
    browserScreenHeight: "844",
    browserScreenWidth: "390",
    browserTZ: "-540",
    browserUserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
    ...v231 ? { threeDSRequestorChallengeInd: [o.challengeInd ?? "01"] } : { threeDSRequestorChallengeInd: o.challengeInd ?? "01" },
    ...v231 ? { acquirerCountryCode: "392", acquirerCountryCodeSource: "01", acceptLanguage: ["ja-JP", "en-US"] } : {},
    ...o.extra
  };
  return JSON.parse(JSON.stringify(areq));
}

// src/sandbox/merchant.ts
var WINDOW_SIZES = {
  WINDOWED_250X400: "01",
  WINDOWED_390X400: "02",
  WINDOWED_500X600: "03",
  WINDOWED_600X400: "04",
  FULL_SCREEN: "05"
};
var initiateBody = z10.object({
  serverTransactionId: z10.uuid(),
  card: z10.object({ number: z10.string().regex(/^\d{13,19}$/) }),
  amount: z10.string().regex(/^\d+(\.\d+)?$/),
  currency: z10.string().regex(/^\d{3}$/),
  merchantName: z10.string().min(1).max(40),
  challengeInd: z10.enum(["01", "02", "03", "04", "05", "06", "07"]),
  messageVersion: z10.enum(["2.2.0", "2.3.1"]),
  dsMode: z10.enum(["ok", "fail", "fail-twice", "late", "garbage"]).default("ok"),
  methodUrlComplete: z10.union([z10.boolean(), z10.string()]).optional(),
  challengeWindow: z10.object({ windowSize: z10.string().optional() }).optional(),
  browserData: z10.object({
    colorDepth: z10.union([z10.string(), z10.number(), z10.boolean()]).optional(),
    javaEnabled: z10.boolean().optional(),
    language: z10.union([z10.string(), z10.boolean()]).optional(),
    screenHeight: z10.union([z10.number(), z10.boolean()]).optional(),
    screenWidth: z10.union([z10.number(), z10.boolean()]).optional(),
    timezoneOffset: z10.number().optional(),
    userAgent: z10.union([z10.string(), z10.boolean()]).optional()
  }).optional()
});
function merchantRoutes(appRef) {
  const routes = new Hono4();
  routes.post("/sandbox/merchant/check-version", async (c) => {
    const deps2 = c.get("deps");
    const threeDSServerTransID = crypto.randomUUID();
    const merchant = new URL(c.req.url).origin;
    const methodData2 = encodeJsonBase64Url({ threeDSServerTransID, threeDSMethodNotificationURL: `${merchant}/sandbox/merchant/method-notification` });
    await recordExchange(deps2, threeDSServerTransID, "merchant \u2192 3DS Method (hidden iframe) \u2192 ACS", "threeDSMethodData", { threeDSServerTransID });
    return c.json({ enrolled: true, serverTransactionId: threeDSServerTransID, methodUrl: `${deps2.config.PUBLIC_URL}/3ds/method`, methodData: methodData2 });
  });
  routes.post("/sandbox/merchant/method-notification", async (c) => {
    const deps2 = c.get("deps");
    const form = await c.req.parseBody();
    const decoded = decodeJsonBase64Url(String(form.threeDSMethodData ?? ""));
    const id = decoded.ok ? String(decoded.value.threeDSServerTransID ?? "") : "";
    if (id) await recordExchange(deps2, id, "ACS \u2192 browser \u2192 3DS Server", "3DS Method done", decoded.ok ? decoded.value : {});
    return c.html(NotifyParentPage({ event: "methodNotification", data: { threeDSServerTransID: id } }));
  });
  routes.post("/sandbox/merchant/initiate-authentication", async (c) => {
    const deps2 = c.get("deps");
    const parsed = initiateBody.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success) return c.json({ error: "invalid request", issues: parsed.error.issues.map((i) => i.path.join(".")) }, 400);
    const b = parsed.data;
    const exponent = CURRENCIES[b.currency]?.[1] ?? 2;
    const minor = Math.round(Number(b.amount) * 10 ** exponent).toString();
    const browser = b.browserData ?? {};
    const merchant = new URL(c.req.url).origin;
    const base = deps2.config.PUBLIC_URL;
    const areq = browserAReq({
      pan: b.card.number,
      messageVersion: b.messageVersion,
      purchaseAmount: minor,
      purchaseCurrency: b.currency,
      purchaseExponent: String(exponent),
      merchantName: b.merchantName,
      challengeInd: b.challengeInd,
      threeDSServerTransID: b.serverTransactionId,
      threeDSCompInd: b.methodUrlComplete === true || b.methodUrlComplete === "YES" ? "Y" : "N",
      notificationURL: `${merchant}/sandbox/merchant/challenge-notification`,
      dsURL: `${base}/sandbox/ds/rreq?mode=${b.dsMode}`,
      browserLanguage: typeof browser.language === "string" ? browser.language.slice(0, 8) : "ja-JP",
      purchaseDate: utcStamp(deps2.clock.now()),
      extra: {
        browserUserAgent: typeof browser.userAgent === "string" ? browser.userAgent.slice(0, 2048) : "unknown",
        browserAcceptHeader: c.req.header("accept")?.slice(0, 2048) || "text/html",
        browserIP: c.req.header("cf-connecting-ip") ?? "127.0.0.1",
        browserScreenHeight: String(typeof browser.screenHeight === "number" ? browser.screenHeight : 800),
        browserScreenWidth: String(typeof browser.screenWidth === "number" ? browser.screenWidth : 1280),
        browserTZ: String(Math.round((browser.timezoneOffset ?? -9) * 60)),
        browserColorDepth: colorDepthOf(browser.colorDepth)
      }
    });
    const started = performance.now();
    await recordExchange(deps2, b.serverTransactionId, "3DS Server \u2192 DS \u2192 ACS", "AReq", areq);
    const res = await appRef().request("/3ds/areq", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "x-request-id": String(areq.dsTransID) },
      body: JSON.stringify(areq)
    });
    const answer = await res.json();
    const ms = Math.round(performance.now() - started);
    await recordExchange(deps2, b.serverTransactionId, "ACS \u2192 DS \u2192 3DS Server", String(answer.messageType), answer, ms);
    if (answer.messageType !== "ARes") return c.json({ status: "ERROR", serverTransactionId: b.serverTransactionId, erro: answer });
    if (answer.transStatus !== "C") {
      return c.json({ status: answer.transStatus === "Y" ? "AUTHENTICATION_SUCCESSFUL" : "NOT_AUTHENTICATED", serverTransactionId: b.serverTransactionId, ares: answer });
    }
    const creq = {
      messageType: "CReq",
      messageVersion: answer.messageVersion,
      threeDSServerTransID: answer.threeDSServerTransID,
      acsTransID: answer.acsTransID,
      challengeWindowSize: WINDOW_SIZES[b.challengeWindow?.windowSize ?? ""] ?? "05"
    };
    await recordExchange(deps2, b.serverTransactionId, "merchant page \u2192 browser iframe \u2192 ACS", "CReq", creq);
    return c.json({
      status: "CHALLENGE_REQUIRED",
      challengeMandated: answer.acsChallengeMandated === "Y",
      serverTransactionId: b.serverTransactionId,
      acsTransactionId: answer.acsTransID,
      ares: answer,
      challenge: { requestUrl: answer.acsURL, encodedChallengeRequest: encodeJsonBase64Url(creq) }
    });
  });
  routes.post("/sandbox/merchant/challenge-notification", async (c) => {
    const deps2 = c.get("deps");
    const form = await c.req.parseBody();
    const decoded = decodeJsonBase64Url(String(form.cres ?? ""));
    const message = decoded.ok ? decoded.value : { error: "unreadable cres" };
    const id = String(message.threeDSServerTransID ?? "");
    if (id) {
      const sessionData = typeof form.threeDSSessionData === "string" ? { threeDSSessionData: form.threeDSSessionData } : {};
      await recordExchange(deps2, id, "ACS page \u2192 browser \u2192 notificationURL", String(message.messageType ?? "cres"), { ...message, ...sessionData });
    }
    return c.html(NotifyParentPage({ event: "challengeNotification", data: message }));
  });
  routes.post("/sandbox/ds/rreq", async (c) => {
    const deps2 = c.get("deps");
    const mode = c.req.query("mode") ?? "ok";
    const text3 = await c.req.text();
    let message;
    try {
      message = JSON.parse(text3);
    } catch {
      return c.json({ error: "not JSON" }, 400);
    }
    const id = String(message.threeDSServerTransID ?? "");
    await recordExchange(deps2, id, "ACS \u2192 DS", String(message.messageType ?? "?"), message);
    if (message.messageType !== "RReq") return c.body(null, 204);
    const tries = await deps2.db.select({ value: count3() }).from(sandboxMessages).where(and12(eq19(sandboxMessages.threeDSServerTransID, id), eq19(sandboxMessages.messageType, "RReq")));
    if (mode === "fail" || mode === "fail-twice" && tries[0].value <= 2) return c.json({ error: "DS unavailable (sandbox mode)" }, 500);
    if (mode === "late") await new Promise((r) => setTimeout(r, 6e3));
    if (mode === "garbage") return c.text("<html>not an RRes</html>", 200);
    const version = message.messageVersion === "2.3.1" ? "2.3.1" : "2.2.0";
    const valid = RREQ_SCHEMAS[version].safeParse(message).success;
    const rres = {
      messageType: "RRes",
      messageVersion: version,
      threeDSServerTransID: message.threeDSServerTransID,
      acsTransID: message.acsTransID,
      dsTransID: message.dsTransID,
      resultsStatus: valid ? "01" : "03"
    };
    await recordExchange(deps2, id, "DS \u2192 ACS", "RRes", rres);
    return c.json(rres);
  });
  return routes;
}
function utcStamp(ms) {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
function colorDepthOf(value) {
  const names = { ONE_BIT: "1", FOUR_BITS: "4", EIGHT_BITS: "8", FIFTEEN_BITS: "15", SIXTEEN_BITS: "16", TWENTY_FOUR_BITS: "24", THIRTY_TWO_BITS: "32", FORTY_EIGHT_BITS: "48" };
  const text3 = String(value);
  if (names[text3]) return names[text3];
  return ["1", "4", "8", "15", "16", "24", "32", "48"].includes(text3) ? text3 : "24";
}

// src/sandbox/routes.tsx
import { jsx as jsx10 } from "hono/jsx/jsx-runtime";
var wantsJson = (accept) => !!accept && accept.includes("application/json") && !accept.includes("text/html");
function sandboxRoutes(appRef) {
  const routes = new Hono5();
  routes.get("/sandbox", (c) => c.html(/* @__PURE__ */ jsx10(SandboxMerchantPage, { cards: DEMO_CARDS })));
  routes.route("/", merchantRoutes(appRef));
  routes.get("/sandbox/sms", async (c) => {
    const rows = await c.get("deps").db.select().from(smsOutbox).orderBy(desc2(smsOutbox.id)).limit(100);
    if (wantsJson(c.req.header("accept"))) {
      return c.json(
        rows.map((r) => ({
          id: r.id,
          recipient: r.recipient,
          body: r.body,
          otpCode: r.otpCode,
          acsTransID: r.acsTransID,
          createdAt: new Date(r.createdAt).toISOString()
        }))
      );
    }
    return c.html(/* @__PURE__ */ jsx10(SmsOutboxPage, { rows }));
  });
  routes.get("/sandbox/cards", (c) => {
    if (wantsJson(c.req.header("accept"))) {
      return c.json(
        DEMO_CARDS.map((card) => ({
          key: card.key,
          pan: card.pan,
          expiry: card.expiry,
          brand: card.brand,
          memberId: card.member?.loginId ?? null,
          ...card.member?.password ? { password: card.member.password } : {},
          purpose: card.purpose,
          outcome: card.outcome
        }))
      );
    }
    return c.html(/* @__PURE__ */ jsx10(DemoCardsPage, { cards: DEMO_CARDS }));
  });
  routes.get("/sandbox/exchange/:id", async (c) => {
    const deps2 = c.get("deps");
    const id = c.req.param("id");
    const txn = await deps2.db.select({ transStatus: transactions.transStatus, state: transactions.state }).from(transactions).where(eq20(transactions.threeDSServerTransID, id)).get();
    return c.json({ messages: await exchangeOf(deps2, id), expectRReq: txn?.transStatus === "C", state: txn?.state ?? null });
  });
  routes.post("/sandbox/clock", async (c) => {
    const clock = c.get("deps").clock;
    if (!clock.advance) return c.json({ error: "this clock cannot be moved" }, 409);
    const body = await c.req.json().catch(() => ({}));
    const seconds = Number(body.advanceSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86400) return c.json({ error: "advanceSeconds must be 1\u201386400" }, 400);
    clock.advance(seconds * 1e3);
    return c.json({ offsetMs: clock.offset?.() ?? null });
  });
  return routes;
}

// src/http/health.ts
import { sql as sql7 } from "drizzle-orm";
import { Hono as Hono6 } from "hono";
var DB_TIMEOUT_MS = 2e3;
var health = new Hono6().get("/healthz", async (c) => {
  const deps2 = c.get("deps");
  try {
    const breaker = await withTimeout(
      (async () => {
        await deps2.db.run(sql7`select 1`);
        return readBreaker(deps2);
      })(),
      DB_TIMEOUT_MS
    );
    const sms = breakerView(breaker, deps2.clock.now(), deps2).state;
    return sms === "closed" ? c.json({ status: "ok" }) : c.json({ status: "degraded", sms });
  } catch (error) {
    deps2.log.error("healthz: database did not answer", { error });
    return c.json({ status: "unavailable", reason: "database" }, 503);
  }
});
function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// src/http/security-headers.ts
import { secureHeaders } from "hono/secure-headers";
var FRAMEABLE_PATHS = ["/3ds/challenge", "/3ds/method"];
var SAME_ORIGIN_FRAME_PATHS = ["/sandbox/merchant/"];
function securityHeaders(options) {
  const hsts = options.development ? false : "max-age=31536000; includeSubDomains";
  const formTargets = options.production ? ["'self'", "https:"] : ["'self'", "https:", "http:"];
  const base = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"]
  };
  const strict = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: "DENY",
    contentSecurityPolicy: { ...base, formAction: ["'self'"], frameAncestors: ["'none'"], frameSrc: ["'self'"] }
  });
  const frameable = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: false,
    // The page must load inside a cross-origin iframe and post to the merchant.
    crossOriginResourcePolicy: "cross-origin",
    crossOriginOpenerPolicy: false,
    contentSecurityPolicy: { ...base, formAction: formTargets, frameAncestors: ["*"] }
  });
  const sameOrigin = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: "SAMEORIGIN",
    contentSecurityPolicy: { ...base, formAction: ["'self'"], frameAncestors: ["'self'"], frameSrc: ["'self'"] }
  });
  const acsOrigin = new URL(options.publicUrl).origin;
  const sandboxMerchant = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: "DENY",
    contentSecurityPolicy: { ...base, formAction: ["'self'", acsOrigin], frameAncestors: ["'none'"], frameSrc: ["'self'", acsOrigin] }
  });
  return (c, next) => {
    if (isFrameable(c.req.path)) return frameable(c, next);
    if (c.req.path === "/sandbox") return sandboxMerchant(c, next);
    if (SAME_ORIGIN_FRAME_PATHS.some((p) => c.req.path.startsWith(p))) return sameOrigin(c, next);
    return strict(c, next);
  };
}
function isFrameable(path) {
  return FRAMEABLE_PATHS.some((p) => path === p || path.startsWith(p + "/"));
}

// src/http/machine-routes.ts
var MACHINE_PREFIXES = ["/3ds/", "/healthz", "/api/", "/sandbox/ds/"];
function isMachineRoute(path, accept) {
  if (MACHINE_PREFIXES.some((p) => path === p || path.startsWith(p)) && !isFrameable(path)) return true;
  return !!accept && accept.includes("application/json") && !accept.includes("text/html");
}

// src/http/request-log.ts
function requestLog(log2, now) {
  return async (c, next) => {
    const start = now();
    await next();
    log2.info("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: now() - start
    });
  };
}

// src/app.ts
var MACHINE_BODY_LIMIT = 256 * 1024;
var FORM_BODY_LIMIT = 64 * 1024;
function createApp(deps2) {
  const { config: config2 } = deps2;
  const app2 = new Hono7();
  app2.use("*", async (c, next) => {
    c.set("deps", deps2);
    await next();
  });
  app2.use("*", requestId());
  app2.use("*", requestLog(deps2.log, () => deps2.clock.now()));
  if (config2.NODE_ENV === "development") app2.use("*", timing());
  app2.use(
    "*",
    securityHeaders({ production: config2.NODE_ENV === "production", development: config2.NODE_ENV === "development", publicUrl: config2.PUBLIC_URL })
  );
  app2.use(
    "*",
    (c, next) => bodyLimit({
      maxSize: isMachineRoute(c.req.path) ? MACHINE_BODY_LIMIT : FORM_BODY_LIMIT,
      onError: (c2) => isMachineRoute(c2.req.path, c2.req.header("accept")) ? c2.json({ error: "payload_too_large" }, 413) : c2.html(TooLargePage(), 413)
    })(c, next)
  );
  if (deps2.assets) {
    app2.use("/static/*", async (c, next) => {
      await next();
      if (c.res.ok) c.header("Cache-Control", "public, max-age=3600");
    });
    app2.use("/static/*", deps2.assets);
  }
  app2.route("/", health);
  app2.route("/", acsRoutes);
  app2.route("/", challengeRoutes);
  if (config2.SANDBOX) app2.route("/", sandboxRoutes(() => app2));
  app2.get(
    "/",
    (c) => c.html(LandingPage({ issuerName: config2.ISSUER_NAME, issuerNameEn: config2.ISSUER_NAME_EN, sandbox: config2.SANDBOX }))
  );
  app2.get("/portal", (c) => c.html(ComingPage({ titleJa: "\u4F1A\u54E1\u30DA\u30FC\u30B8", titleEn: "Member portal" })));
  app2.get("/admin", (c) => c.html(ComingPage({ titleJa: "\u7BA1\u7406\u753B\u9762", titleEn: "Admin area" })));
  app2.notFound(
    (c) => isMachineRoute(c.req.path, c.req.header("accept")) ? c.json({ error: "not_found", path: c.req.path }, 404) : c.html(NotFoundPage(), 404)
  );
  app2.onError((error, c) => {
    deps2.log.error("unhandled error", { requestId: c.get("requestId"), path: c.req.path, error });
    return isMachineRoute(c.req.path, c.req.header("accept")) ? c.json({ error: "internal_error", requestId: c.get("requestId") }, 500) : c.html(ErrorPage({ requestId: c.get("requestId") }), 500);
  });
  return app2;
}

// src/clock.ts
var systemClock = { now: () => Date.now() };
function adjustableClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    offset: () => offset
  };
}

// src/db/migrate.ts
import { migrate } from "drizzle-orm/libsql/migrator";
async function migrateDatabase(db, migrationsFolder = "drizzle") {
  await migrate(db, { migrationsFolder });
}

// src/db/client.ts
import { drizzle } from "drizzle-orm/libsql/web";
function createDatabase(client2) {
  return drizzle(client2, { schema: schema_exports });
}
async function tuneEmbeddedDatabase(client2) {
  await client2.execute("PRAGMA journal_mode = WAL");
  await client2.execute("PRAGMA busy_timeout = 5000");
  await client2.execute("PRAGMA foreign_keys = ON");
}

// src/config.ts
import { z as z11 } from "zod";
var bool = z11.enum(["true", "false", "1", "0", "on", "off", "yes", "no"]).transform((v) => ["true", "1", "on", "yes"].includes(v));
var int = (min, max) => z11.coerce.number().int().min(min).max(max);
var secret = z11.string().refine((v) => decodeSecret(v)?.length === 32, "must be 32 bytes, base64 or hex (openssl rand -base64 32)");
var commaList = z11.string().transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean));
var amountPerCurrency = z11.string().transform((v, ctx) => {
  const out = {};
  for (const part of v.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{3}):(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: "custom", message: `"${part}" is not CURRENCY:AMOUNT (e.g. 392:30000)` });
      return z11.NEVER;
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
});
var prefixList = z11.string().transform((v, ctx) => {
  const out = v.split(",").map((s) => s.trim()).filter(Boolean);
  for (const p of out) {
    if (!/^\+\d{1,6}$/.test(p)) {
      ctx.addIssue({ code: "custom", message: `"${p}" is not an E.164 prefix (e.g. +81)` });
      return z11.NEVER;
    }
  }
  return out;
});
var UNIT_MS = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 };
var rateLimit = z11.string().transform((v, ctx) => {
  const text3 = v.trim().toLowerCase();
  if (text3 === "off") return null;
  const m = /^(\d+)\s*\/\s*(\d+)\s*([smhd]?)$/.exec(text3);
  const windowMs = m ? Number(m[2]) * UNIT_MS[m[3] || "s"] : 0;
  if (!m || Number(m[1]) < 1 || windowMs < 1e3 || windowMs > 31 * UNIT_MS.d) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not COUNT/WINDOW (e.g. 10/1h, 3/10m, 5/600) or off` });
    return z11.NEVER;
  }
  return { max: Number(m[1]), windowMs };
});
var jsonTemplate = (required2) => z11.string().superRefine((v, ctx) => {
  try {
    JSON.parse(v);
  } catch {
    ctx.addIssue({ code: "custom", message: "must be JSON (placeholders such as {{to}} go inside strings)" });
    return;
  }
  for (const name of required2) {
    if (!v.includes(`{{${name}}}`)) ctx.addIssue({ code: "custom", message: `must contain {{${name}}}` });
  }
});
var configSchema = z11.object({
  NODE_ENV: z11.enum(["development", "production", "test"]).default("development"),
  PORT: int(1, 65535).default(8787),
  HOST: z11.string().default("0.0.0.0"),
  PUBLIC_URL: z11.url().optional(),
  DATABASE_URL: z11.string().regex(/^(file:|libsql:|https?:|wss?:|:memory:)/, "must be a file: path or a libsql://, http(s):// or ws(s):// URL").default("file:data/mamori.db"),
  DATABASE_AUTH_TOKEN: z11.string().optional(),
  LOG_LEVEL: z11.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  PAN_LOOKUP_KEY: secret.optional(),
  PAN_ENCRYPTION_KEY: secret.optional(),
  AUTH_VALUE_KEY: secret.optional(),
  SESSION_SECRET: secret.optional(),
  SANDBOX: bool.optional(),
  DEMO_DATA: bool.optional(),
  ISSUER_NAME: z11.string().min(1).max(60).default("\u307E\u3082\u308A\u9280\u884C\u30AB\u30FC\u30C9"),
  ISSUER_NAME_EN: z11.string().min(1).max(60).default("Mamori Card"),
  ISSUER_PHONE: z11.string().min(1).max(30).default("0120-000-000"),
  /** Our own origin only (a path under /static, or an https URL the issuer hosts). */
  ISSUER_LOGO: z11.string().min(1).default("/static/img/issuer-logo.svg"),
  /** The schemes' marks are their artwork: configure the image the scheme gave you, else a text mark is shown. */
  BRAND_MARK_JCB: z11.string().min(1).optional(),
  BRAND_MARK_VISA: z11.string().min(1).optional(),
  BRAND_MARK_MASTERCARD: z11.string().min(1).optional(),
  ACS_REFERENCE_NUMBER: z11.string().min(1).max(32).default("MAMORI-ACS-0001"),
  ACS_OPERATOR_ID: z11.string().max(32).optional(),
  DS_URL_JCB: z11.url().optional(),
  DS_URL_VISA: z11.url().optional(),
  DS_URL_MASTERCARD: z11.url().optional(),
  DS_ALLOWLIST_JCB: commaList.default([]),
  DS_ALLOWLIST_VISA: commaList.default([]),
  DS_ALLOWLIST_MASTERCARD: commaList.default([]),
  MAX_AUTH_ATTEMPTS: int(1, 20).default(5),
  OTP_TTL_SECONDS: int(60, 600).default(300),
  OTP_RESEND_COOLDOWN_SECONDS: int(0, 300).default(30),
  OTP_MAX_SENDS: int(1, 10).default(3),
  PROVISIONAL_POLICY: z11.enum(["challenge", "reject"]).default("challenge"),
  CHALLENGE_THRESHOLDS: amountPerCurrency.default({ "392": 3e4, "840": 200, "978": 200 }),
  VELOCITY_LIMIT_PER_HOUR: int(1, 1e4).default(10),
  /** Messaging (src/messaging/): which adapter sends SMS and mail, and each adapter's settings. */
  SMS_GATEWAY: z11.enum(["outbox", "http", "twilio", "vonage"]).default("outbox"),
  MAILER: z11.enum(["outbox", "http"]).default("outbox"),
  /** The sender the cardholder sees: an alphanumeric ID (up to 11) or a number. */
  SMS_SENDER_ID: z11.string().regex(/^(\+?\d{3,15}|[A-Za-z0-9][A-Za-z0-9 .&_-]{0,10})$/, "must be an alphanumeric sender ID (up to 11 characters) or a phone number").optional(),
  /** The issuer's name in the SMS text (shorter names keep the message in fewer segments); defaults to ISSUER_NAME(_EN). */
  SMS_ISSUER_NAME: z11.string().min(1).max(30).optional(),
  SMS_ISSUER_NAME_EN: z11.string().min(1).max(30).optional(),
  SMS_TIMEOUT_MS: int(50, 3e4).default(4e3),
  SMS_RETRIES: int(0, 3).default(2),
  SMS_RETRY_BACKOFF_MS: int(0, 5e3).default(300),
  SMS_SEND_BUDGET_MS: int(100, 3e4).default(8e3),
  SMS_COUNTRY_ALLOWLIST: prefixList.default(["+81"]),
  SMS_LIMIT_PER_PHONE: rateLimit.default({ max: 10, windowMs: 36e5 }),
  SMS_LIMIT_PER_IP: rateLimit.default({ max: 30, windowMs: 36e5 }),
  SMS_LIMIT_PER_BIN: rateLimit.default({ max: 1e3, windowMs: 36e5 }),
  SMS_BREAKER_THRESHOLD: int(1, 1e3).default(5),
  SMS_BREAKER_OPEN_SECONDS: int(1, 86400).default(60),
  SMS_BREAKER_TRANS_STATUS_REASON: z11.string().regex(/^(0[1-9]|1\d|2[0-6])$/, "must be a transStatusReason from 01 to 26").default("22"),
  /** The header the issuer's proxy puts the cardholder's address in (e.g. cf-connecting-ip, x-forwarded-for). */
  CLIENT_IP_HEADER: z11.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name").optional(),
  SMS_HTTP_URL: z11.url().optional(),
  SMS_HTTP_AUTH_HEADER: z11.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name").default("Authorization"),
  SMS_HTTP_AUTH_VALUE: z11.string().optional(),
  SMS_HTTP_BODY_TEMPLATE: jsonTemplate(["to", "text"]).default('{"to":"{{to}}","from":"{{from}}","text":"{{text}}"}'),
  SMS_HTTP_MESSAGE_ID_PATH: z11.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a dotted path such as id or messages.0.id").default("id"),
  TWILIO_ACCOUNT_SID: z11.string().regex(/^AC[0-9a-fA-F]{32}$/, "must be AC followed by 32 hex digits").optional(),
  TWILIO_AUTH_TOKEN: z11.string().optional(),
  TWILIO_API_URL: z11.url().default("https://api.twilio.com"),
  VONAGE_API_KEY: z11.string().optional(),
  VONAGE_API_SECRET: z11.string().optional(),
  VONAGE_API_URL: z11.url().default("https://rest.nexmo.com"),
  MAIL_FROM: z11.string().min(3).optional(),
  MAIL_TIMEOUT_MS: int(50, 3e4).default(1e4),
  MAIL_HTTP_URL: z11.url().optional(),
  MAIL_HTTP_AUTH_HEADER: z11.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name").default("Authorization"),
  MAIL_HTTP_AUTH_VALUE: z11.string().optional(),
  MAIL_HTTP_BODY_TEMPLATE: jsonTemplate(["to", "text"]).default('{"from":"{{from}}","to":"{{to}}","subject":"{{subject}}","text":"{{text}}"}'),
  MAIL_HTTP_MESSAGE_ID_PATH: z11.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a dotted path such as id or data.id").default("id"),
  TLS_PORT: int(1, 65535).optional(),
  TLS_CERT_FILE: z11.string().optional(),
  TLS_KEY_FILE: z11.string().optional(),
  TLS_CLIENT_CA_FILE: z11.string().optional(),
  MTLS_REQUIRED: bool.default(false)
}).superRefine((c, ctx) => {
  const need = (names, when) => {
    for (const name of names) if (!c[name]) ctx.addIssue({ code: "custom", path: [name], message: `is required when ${when}` });
  };
  if (c.SMS_GATEWAY === "http") need(["SMS_HTTP_URL"], "SMS_GATEWAY=http");
  if (c.SMS_GATEWAY === "twilio") need(["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SMS_SENDER_ID"], "SMS_GATEWAY=twilio");
  if (c.SMS_GATEWAY === "vonage") need(["VONAGE_API_KEY", "VONAGE_API_SECRET", "SMS_SENDER_ID"], "SMS_GATEWAY=vonage");
  if (c.MAILER === "http") need(["MAIL_HTTP_URL", "MAIL_FROM"], "MAILER=http");
  if (c.NODE_ENV !== "production") return;
  for (const name of ["SMS_HTTP_URL", "TWILIO_API_URL", "VONAGE_API_URL", "MAIL_HTTP_URL"]) {
    const url2 = c[name];
    if (url2 && !url2.startsWith("https://")) ctx.addIssue({ code: "custom", path: [name], message: "must be https in production" });
  }
  for (const name of ["PAN_LOOKUP_KEY", "PAN_ENCRYPTION_KEY", "AUTH_VALUE_KEY", "SESSION_SECRET"]) {
    if (!c[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required in production" });
  }
  if (c.SANDBOX) ctx.addIssue({ code: "custom", path: ["SANDBOX"], message: "cannot be enabled in production" });
  if (!c.PUBLIC_URL) ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "is required in production (the https origin DSs and browsers reach)" });
  else if (!c.PUBLIC_URL.startsWith("https://")) ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "must be https in production" });
});
var SECRET_NAMES = ["PAN_LOOKUP_KEY", "PAN_ENCRYPTION_KEY", "AUTH_VALUE_KEY", "SESSION_SECRET"];
var ConfigError = class extends Error {
  name = "ConfigError";
};
function parseConfig(env, devSecrets) {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== void 0 && v !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue.path.join(".") || "configuration";
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
  }
  const c = result.data;
  const secrets = {};
  for (const name of SECRET_NAMES) {
    const value = c[name] ?? devSecrets?.[name];
    if (!value) throw new ConfigError(`Invalid configuration: ${name} is required (set it, or run outside production to generate one)`);
    secrets[name] = value;
  }
  const production = c.NODE_ENV === "production";
  return {
    ...c,
    SANDBOX: c.SANDBOX ?? !production,
    DEMO_DATA: c.DEMO_DATA ?? !production,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ""),
    secrets
  };
}
function decodeSecret(value) {
  if (/^[0-9a-fA-F]{64}$/.test(value)) {
    return Uint8Array.from(value.match(/../g).map((h) => parseInt(h, 16)));
  }
  try {
    const b64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return void 0;
  }
}
function generateSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}

// src/keys.ts
async function importKeys(secrets) {
  const hmac = (s) => crypto.subtle.importKey("raw", decodeSecret(s), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  return {
    panLookup: await hmac(secrets.PAN_LOOKUP_KEY),
    panEncryption: await crypto.subtle.importKey("raw", decodeSecret(secrets.PAN_ENCRYPTION_KEY), "AES-GCM", false, [
      "encrypt",
      "decrypt"
    ]),
    authValue: await hmac(secrets.AUTH_VALUE_KEY),
    session: await hmac(secrets.SESSION_SECRET)
  };
}

// src/messaging/http-mailer.ts
function httpMailer(o) {
  return {
    name: "http",
    async send(message, options) {
      const headers = { "content-type": "application/json; charset=utf-8", accept: "application/json" };
      if (o.authValue) headers[o.authHeader.toLowerCase()] = o.authValue;
      const body = fillTemplate(o.bodyTemplate, { from: o.from, to: message.to, subject: message.subject, text: message.body });
      const answer = await postToProvider(o.fetch, { url: o.url, headers, body, timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === "no-answer") return noAnswerFailure(answer);
      const hide = (text3) => scrub(text3, [message.body, message.to, o.authValue]);
      if (answer.status < 200 || answer.status > 299) return statusFailure(answer.status, hide(snippet(answer.text)));
      const id = valueAt(answer.json, o.messageIdPath);
      return id ? { ok: true, providerMessageId: id } : unreadableFailure(answer.status, hide(answer.text));
    }
  };
}

// src/messaging/http-sms.ts
function httpSmsGateway(o) {
  return {
    name: "http",
    async send(message, options) {
      const headers = { "content-type": "application/json; charset=utf-8", accept: "application/json" };
      if (o.authValue) headers[o.authHeader.toLowerCase()] = o.authValue;
      const body = fillTemplate(o.bodyTemplate, { to: message.to, from: o.senderId ?? "", text: message.body });
      const answer = await postToProvider(o.fetch, { url: o.url, headers, body, timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === "no-answer") return noAnswerFailure(answer);
      const hide = (text3) => scrub(text3, [message.otpCode, message.body, o.authValue], message.to);
      if (answer.status < 200 || answer.status > 299) return statusFailure(answer.status, hide(snippet(answer.text)));
      const id = valueAt(answer.json, o.messageIdPath);
      return id ? { ok: true, providerMessageId: id } : unreadableFailure(answer.status, hide(answer.text));
    }
  };
}

// src/messaging/outbox.ts
function outboxSmsGateway(db, clock) {
  return {
    name: "outbox",
    async send(message) {
      const [row] = await db.insert(smsOutbox).values({
        recipient: message.to,
        body: message.body,
        otpCode: message.otpCode ?? null,
        acsTransID: message.acsTransID ?? null,
        createdAt: clock.now()
      }).returning({ id: smsOutbox.id });
      return { ok: true, providerMessageId: `outbox-${row.id}` };
    }
  };
}
function outboxMailer(db, clock) {
  return {
    name: "outbox",
    async send(message) {
      const [row] = await db.insert(mailOutbox).values({ recipient: message.to, subject: message.subject, body: message.body, createdAt: clock.now() }).returning({ id: mailOutbox.id });
      return { ok: true, providerMessageId: `outbox-${row.id}` };
    }
  };
}

// src/messaging/twilio.ts
function twilioSmsGateway(o) {
  const url2 = `${o.apiUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`;
  const authorization = basicAuth(o.accountSid, o.authToken);
  return {
    name: "twilio",
    async send(message, options) {
      const body = new URLSearchParams({ To: message.to, From: o.from, Body: message.body }).toString();
      const headers = { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
      const answer = await postToProvider(o.fetch, { url: url2, headers, body, timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === "no-answer") return noAnswerFailure(answer);
      const hide = (text3) => scrub(text3, [message.otpCode, message.body, o.authToken], message.to);
      const json = isObject(answer.json) ? answer.json : void 0;
      if (answer.status < 200 || answer.status > 299) {
        const detail = json && (json.code !== void 0 || json.message !== void 0) ? `Twilio ${json.code ?? "?"} ${json.message ?? ""}`.trim() : snippet(answer.text);
        return statusFailure(answer.status, hide(detail));
      }
      const sid = json?.sid;
      return typeof sid === "string" && sid ? { ok: true, providerMessageId: sid } : unreadableFailure(answer.status, hide(answer.text));
    }
  };
}

// src/messaging/vonage.ts
var TRANSIENT_STATUS = /* @__PURE__ */ new Set(["1", "5", "10"]);
var GSM_SAFE = /^[\n\x20-\x5F\x61-\x7E]*$/;
function vonageSmsGateway(o) {
  const url2 = `${o.apiUrl.replace(/\/+$/, "")}/sms/json`;
  const authorization = basicAuth(o.apiKey, o.apiSecret);
  return {
    name: "vonage",
    async send(message, options) {
      const form = new URLSearchParams({
        from: o.from,
        to: message.to.replace(/^\+/, ""),
        text: message.body,
        type: GSM_SAFE.test(message.body) ? "text" : "unicode"
      });
      const headers = { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
      const answer = await postToProvider(o.fetch, { url: url2, headers, body: form.toString(), timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === "no-answer") return noAnswerFailure(answer);
      const hide = (text3) => scrub(text3, [message.otpCode, message.body, o.apiSecret], message.to);
      if (answer.status < 200 || answer.status > 299) return statusFailure(answer.status, hide(snippet(answer.text)));
      const parts = isObject(answer.json) && Array.isArray(answer.json.messages) ? answer.json.messages.filter(isObject) : [];
      if (parts.length === 0 || parts.some((p) => typeof p.status !== "string")) return unreadableFailure(answer.status, hide(answer.text));
      const failed = parts.find((p) => p.status !== "0");
      if (failed) {
        const status = failed.status;
        return { ok: false, error: hide(`Vonage status ${status}: ${String(failed["error-text"] ?? "")}`.trim()), transient: TRANSIENT_STATUS.has(status) };
      }
      const ids = parts.map((p) => p["message-id"]).filter((id) => typeof id === "string" && id.length > 0);
      return ids.length === parts.length ? { ok: true, providerMessageId: ids.join(",") } : unreadableFailure(answer.status, hide(answer.text));
    }
  };
}

// src/messaging/adapters.ts
function smsGatewayFor(config2, io) {
  const timeoutMs = config2.SMS_TIMEOUT_MS;
  switch (config2.SMS_GATEWAY) {
    case "outbox":
      return outboxSmsGateway(io.db, io.clock);
    case "http":
      return httpSmsGateway({
        url: config2.SMS_HTTP_URL,
        authHeader: config2.SMS_HTTP_AUTH_HEADER,
        authValue: config2.SMS_HTTP_AUTH_VALUE,
        senderId: config2.SMS_SENDER_ID,
        bodyTemplate: config2.SMS_HTTP_BODY_TEMPLATE,
        messageIdPath: config2.SMS_HTTP_MESSAGE_ID_PATH,
        timeoutMs,
        fetch: io.fetch
      });
    case "twilio":
      return twilioSmsGateway({
        accountSid: config2.TWILIO_ACCOUNT_SID,
        authToken: config2.TWILIO_AUTH_TOKEN,
        from: config2.SMS_SENDER_ID,
        apiUrl: config2.TWILIO_API_URL,
        timeoutMs,
        fetch: io.fetch
      });
    case "vonage":
      return vonageSmsGateway({
        apiKey: config2.VONAGE_API_KEY,
        apiSecret: config2.VONAGE_API_SECRET,
        from: config2.SMS_SENDER_ID,
        apiUrl: config2.VONAGE_API_URL,
        timeoutMs,
        fetch: io.fetch
      });
  }
}
function mailerFor(config2, io) {
  switch (config2.MAILER) {
    case "outbox":
      return outboxMailer(io.db, io.clock);
    case "http":
      return httpMailer({
        url: config2.MAIL_HTTP_URL,
        authHeader: config2.MAIL_HTTP_AUTH_HEADER,
        authValue: config2.MAIL_HTTP_AUTH_VALUE,
        from: config2.MAIL_FROM,
        bodyTemplate: config2.MAIL_HTTP_BODY_TEMPLATE,
        messageIdPath: config2.MAIL_HTTP_MESSAGE_ID_PATH,
        timeoutMs: config2.MAIL_TIMEOUT_MS,
        fetch: io.fetch
      });
  }
}

// src/risk/simple-rules.ts
function simpleRiskProvider(config2) {
  return { name: "simple-rules", assess: async (input) => assessSimple(input, config2) };
}
function assessSimple(input, config2) {
  const fired = [];
  if (input.velocityLastHour > config2.VELOCITY_LIMIT_PER_HOUR) {
    fired.push({ reason: `velocity: ${input.velocityLastHour} authentications for this card in the last hour`, score: 50 });
  }
  if (input.purchaseAmount !== void 0 && input.purchaseCurrency) {
    const threshold = config2.CHALLENGE_THRESHOLDS[input.purchaseCurrency];
    const major = input.purchaseAmount / 10 ** (input.purchaseExponent ?? 0);
    if (threshold !== void 0 && major >= threshold) {
      fired.push({ reason: `amount ${major} at or above the challenge threshold ${threshold} for currency ${input.purchaseCurrency}`, score: 40 });
    }
  }
  const ind = input.threeDSRequestorChallengeInd;
  if (ind === "04" && input.deviceChannel !== "03") fired.push({ reason: "requestor mandated a challenge (04)", score: 0 });
  if (ind === "03") fired.push({ reason: "requestor prefers a challenge (03)", score: 10 });
  const score = Math.min(100, 10 + fired.reduce((sum, f) => sum + f.score, 0));
  if (fired.length > 0) return { decision: "challenge", score, reasons: fired.map((f) => f.reason) };
  const noChallengeAsked = ind === "02" || ind === "05" || ind === "06" || ind === "07";
  const reasons = [input.threeDSCompInd === "Y" && input.browserSeen ? "low risk; device seen by the 3DS Method" : "low risk"];
  if (noChallengeAsked) reasons.push(`requestor asked for no challenge (${ind})`);
  return { decision: "frictionless", score, reasons, exemptionRequested: noChallengeAsked };
}

// src/deps.ts
async function assembleDeps(args) {
  const { config: config2, clock } = args;
  const db = createDatabase(args.client);
  const outbound = args.fetch ?? ((input, init) => fetch(input, init));
  return {
    config: config2,
    db,
    clock,
    log: args.log,
    keys: await importKeys(config2.secrets),
    // SMS_GATEWAY and MAILER choose the adapters; a test may hand in its own.
    sms: args.sms ?? smsGatewayFor(config2, { db, clock, fetch: outbound }),
    mailer: args.mailer ?? mailerFor(config2, { db, clock, fetch: outbound }),
    risk: args.risk ?? simpleRiskProvider(config2),
    assets: args.assets,
    fetch: outbound
  };
}

// src/log.ts
var ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
var SECRET_FIELD = /^(acctnumber|pan|otp|otpcode|code|password|passwordhash|newpassword|currentpassword|cardsecuritycode|cvv|cvc|authenticationvalue|secret|token|totp|creq|cres|threedssessiondata|authorization|cookie)$/i;
var PAN_LIKE = /\b\d(?:[ -]?\d){11,18}\b/g;
function redact(value, depth = 0) {
  if (depth > 8) return "[deep]";
  if (typeof value === "string") return maskPansIn(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: maskPansIn(value.message) };
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? "[redacted]" : redact(v, depth + 1);
    return out;
  }
  return value;
}
function maskPansIn(text3) {
  return text3.replace(PAN_LIKE, (m) => {
    const digits2 = m.replace(/[ -]/g, "");
    return luhnValid(digits2) ? maskPan(digits2) : m;
  });
}
function createLogger(options = {}) {
  const min = ORDER[options.level ?? "info"];
  const sink = options.sink ?? ((line) => console.log(line));
  const now = options.clock ?? (() => Date.now());
  const write = (level) => (msg, fields4) => {
    if (ORDER[level] < min) return;
    const entry = { time: new Date(now()).toISOString(), level, msg: maskPansIn(msg), ...redact(fields4 ?? {}) };
    sink(JSON.stringify(entry));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

// src/acs/scheduled.ts
import { lt as lt3 } from "drizzle-orm";
var creqTimeout = async (deps2, timer) => {
  const moved = await transition(
    deps2.db,
    timer.acsTransID,
    "expired",
    deps2.clock.now(),
    { finalTransStatus: "N", finalTransStatusReason: "14", challengeCancel: "05" },
    ["ares_sent"]
  );
  if (moved) {
    deps2.log.info("challenge not started in time", { acsTransID: timer.acsTransID });
    await queueRReq(deps2, timer.acsTransID);
    await deliverRReqNow(deps2, timer.acsTransID);
  }
  return { done: true };
};
var rreqDelivery = (deps2, timer) => deliverRReq(deps2, timer.acsTransID, timer.attempts + 1);
var ACS_TIMER_HANDLERS = {
  creq_timeout: creqTimeout,
  rreq_delivery: rreqDelivery
};
async function runAcsScheduledWork(deps2, extraHandlers = {}) {
  const results = await Promise.allSettled([sweepTimers(deps2, { ...ACS_TIMER_HANDLERS, ...extraHandlers }), purgeMethodData(deps2)]);
  const failure = results.find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
}
function purgeMethodData(deps2) {
  return deps2.db.delete(methodData).where(lt3(methodData.expiresAt, deps2.clock.now()));
}

// src/challenge/timeout.ts
import { eq as eq21 } from "drizzle-orm";
var challengeTimeout = async (deps2, timer) => {
  const challenge = await deps2.db.select().from(challenges).where(eq21(challenges.acsTransID, timer.acsTransID)).get();
  const txn = await findTransaction(deps2.db, timer.acsTransID);
  if (!challenge || !txn || txn.state !== "challenge_started") return { done: true };
  if (challenge.expiresAt > deps2.clock.now()) return { retryAt: challenge.expiresAt };
  await finishChallenge(deps2, txn, { kind: "expired" });
  return { done: true };
};

// src/services.ts
var SWEEP_INTERVAL_MS = 1e3;
async function startServices(deps2) {
  if (deps2.config.DEMO_DATA) await seedDemoIssuer(deps2);
  const timer = setInterval(() => {
    runScheduledWork(deps2).catch((error) => deps2.log.error("scheduled work failed", { error }));
  }, SWEEP_INTERVAL_MS);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
async function runScheduledWork(deps2) {
  await runAcsScheduledWork(deps2, { challenge_timeout: challengeTimeout });
}

// src/entry/local.ts
import { mkdirSync as mkdirSync2 } from "node:fs";
import { dirname as dirname2 } from "node:path";
import process2 from "node:process";
import { createClient } from "@libsql/client";

// src/entry/dev-secrets.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
function loadOrCreateDevSecrets(env, warn = console.warn) {
  const file = devSecretsFile(env.DATABASE_URL);
  if (env.NODE_ENV === "production") return {};
  const missing = SECRET_NAMES.filter((name) => !env[name]);
  if (missing.length === 0) return {};
  const stored = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const created = missing.filter((name) => !stored[name]);
  for (const name of created) stored[name] = generateSecret();
  if (created.length > 0) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + "\n", { mode: 384 });
    warn(
      JSON.stringify({
        level: "warn",
        msg: `development secrets generated into ${file}: ${created.join(", ")}. Set them in the environment for production.`
      })
    );
  }
  return stored;
}
function devSecretsFile(databaseUrl) {
  const path = databaseUrl?.startsWith("file:") ? databaseUrl.slice("file:".length) : void 0;
  return path ? join(dirname(path), "secrets.json") : "data/secrets.json";
}

// src/entry/local.ts
function configOrExit(env, more) {
  try {
    const config2 = parseConfig(env, loadOrCreateDevSecrets(env));
    return { config: config2, extra: more ? more(config2) : void 0 };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process2.exit(1);
    }
    throw error;
  }
}
async function openDatabase(config2) {
  const file = config2.DATABASE_URL.startsWith("file:") ? config2.DATABASE_URL.slice("file:".length) : void 0;
  if (file) mkdirSync2(dirname2(file), { recursive: true });
  const client2 = createClient({ url: config2.DATABASE_URL, authToken: config2.DATABASE_AUTH_TOKEN });
  if (file) await tuneEmbeddedDatabase(client2);
  return client2;
}

// src/entry/tls.ts
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync as readFileSync2 } from "node:fs";
import { createServer } from "node:https";
import { createSecureContext } from "node:tls";
import { serve } from "@hono/node-server";
function loadTlsOptions(config2, read = readFileSync2) {
  const anySet = config2.TLS_PORT !== void 0 || config2.TLS_CERT_FILE || config2.TLS_KEY_FILE || config2.TLS_CLIENT_CA_FILE;
  if (!anySet) {
    if (config2.MTLS_REQUIRED) {
      throw invalid("MTLS_REQUIRED", "needs the HTTPS listener on Node: set TLS_PORT, TLS_CERT_FILE, TLS_KEY_FILE and TLS_CLIENT_CA_FILE");
    }
    return void 0;
  }
  if (config2.TLS_PORT === void 0) throw invalid("TLS_PORT", "is required when TLS_CERT_FILE, TLS_KEY_FILE or TLS_CLIENT_CA_FILE is set");
  if (config2.TLS_PORT === config2.PORT) throw invalid("TLS_PORT", `must differ from PORT (${config2.PORT})`);
  if (!config2.TLS_CERT_FILE) throw invalid("TLS_CERT_FILE", "is required when TLS_PORT is set");
  if (!config2.TLS_KEY_FILE) throw invalid("TLS_KEY_FILE", "is required when TLS_PORT is set");
  if (config2.MTLS_REQUIRED && !config2.TLS_CLIENT_CA_FILE) {
    throw invalid("TLS_CLIENT_CA_FILE", "is required when MTLS_REQUIRED is true (the DS CA certificates that client certificates are checked against)");
  }
  const cert = readPem("TLS_CERT_FILE", config2.TLS_CERT_FILE, read);
  const key = readPem("TLS_KEY_FILE", config2.TLS_KEY_FILE, read);
  const ca = config2.TLS_CLIENT_CA_FILE ? readPem("TLS_CLIENT_CA_FILE", config2.TLS_CLIENT_CA_FILE, read) : void 0;
  const certificate = parse("TLS_CERT_FILE", "is not a PEM certificate", () => new X509Certificate(cert));
  const privateKey = parse("TLS_KEY_FILE", "is not a PEM private key (unencrypted)", () => createPrivateKey(key));
  if (!certificate.checkPrivateKey(privateKey)) throw invalid("TLS_KEY_FILE", "does not belong to the certificate in TLS_CERT_FILE");
  if (ca) {
    if (!ca.toString("latin1").includes("-----BEGIN CERTIFICATE-----")) throw invalid("TLS_CLIENT_CA_FILE", "holds no PEM certificate");
    parse("TLS_CLIENT_CA_FILE", "is not a list of PEM certificates", () => createSecureContext({ ca }));
  }
  parse("TLS_CERT_FILE", "cannot be used with TLS_KEY_FILE", () => createSecureContext({ cert, key }));
  return {
    port: config2.TLS_PORT,
    verifiesClients: ca !== void 0,
    serverOptions: {
      cert,
      key,
      minVersion: "TLSv1.2",
      ...ca ? {
        // `ca` replaces Node's public roots: only the DS CAs can vouch for a client.
        ca,
        requestCert: true,
        // Let the handshake finish; the app answers an unverified DS with Erro 303 (ds-auth.ts).
        rejectUnauthorized: false
      } : { requestCert: false }
    }
  };
}
function serveTls(options, onListening) {
  return serve(
    { fetch: options.fetch, port: options.port, hostname: options.hostname, createServer, serverOptions: options.serverOptions },
    (info) => onListening?.({ port: info.port })
  );
}
function readPem(name, path, read) {
  try {
    return read(path);
  } catch (error) {
    const code2 = error.code;
    const why = code2 === "ENOENT" ? "no such file" : code2 === "EACCES" ? "permission denied" : code2 === "EISDIR" ? "is a directory" : code2 ?? "read failed";
    throw invalid(name, `cannot be read (${path}: ${why})`);
  }
}
function parse(name, message, fn) {
  try {
    return fn();
  } catch {
    throw invalid(name, message);
  }
}
function invalid(name, message) {
  return new ConfigError(`Invalid configuration: ${name} ${message}`);
}

// src/entry/node.ts
var { config, extra: tls } = configOrExit(process.env, loadTlsOptions);
var log = createLogger({ level: config.LOG_LEVEL });
var client = await openDatabase(config);
var deps = await assembleDeps({
  config,
  client,
  // The sandbox may move time forward to show timeouts; production always runs on the system clock.
  clock: config.SANDBOX ? adjustableClock() : systemClock,
  log,
  assets: serveStatic({ root: "./" })
});
await migrateDatabase(deps.db);
var services = await startServices(deps);
var app = createApp(deps);
var server = serve2({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  log.info("listening", { url: `http://localhost:${info.port}`, publicUrl: config.PUBLIC_URL, env: config.NODE_ENV });
});
exitOnListenError(server, "PORT", config.PORT);
var servers = [server];
if (tls) {
  const tlsServer = serveTls({ fetch: app.fetch, port: tls.port, hostname: config.HOST, serverOptions: tls.serverOptions }, (info) => {
    log.info("listening (DS link, TLS)", {
      url: `https://localhost:${info.port}`,
      clientCertificates: tls.verifiesClients ? "verified against TLS_CLIENT_CA_FILE" : "not requested",
      mtlsRequired: config.MTLS_REQUIRED
    });
  });
  exitOnListenError(tlsServer, "TLS_PORT", tls.port);
  servers.push(tlsServer);
}
function exitOnListenError(target, name, port) {
  const onError = (error) => {
    console.error(`Cannot listen on ${name} ${port}: ${error.code ?? error.message}`);
    process.exit(1);
  };
  target.once("error", onError);
  target.once("listening", () => target.off("error", onError));
}
function shutdown(signal) {
  log.info("shutting down", { signal });
  services.stop();
  let open = servers.length;
  for (const s of servers) {
    s.close(() => {
      if (--open > 0) return;
      client.close();
      process.exit(0);
    });
  }
  setTimeout(() => process.exit(0), 5e3).unref();
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
