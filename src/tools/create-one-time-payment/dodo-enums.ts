// Verbatim from the dodopayments SDK (2.52.0) unions; test/sdk-contract.test.ts checks they stay equal both ways.

/** ISO 3166-1 alpha-2 codes the API accepts in `billing.country` (SDK `CountryCode`). */
export const COUNTRY_CODES = [
  "AF", "AX", "AL", "DZ", "AS", "AD", "AO", "AI", "AQ", "AG", "AR", "AM", "AW", "AU", "AT", "AZ",
  "BS", "BH", "BD", "BB", "BY", "BE", "BZ", "BJ", "BM", "BT", "BO", "BQ", "BA", "BW", "BV", "BR",
  "IO", "BN", "BG", "BF", "BI", "KH", "CM", "CA", "CV", "KY", "CF", "TD", "CL", "CN", "CX", "CC",
  "CO", "KM", "CG", "CD", "CK", "CR", "CI", "HR", "CU", "CW", "CY", "CZ", "DK", "DJ", "DM", "DO",
  "EC", "EG", "SV", "GQ", "ER", "EE", "ET", "FK", "FO", "FJ", "FI", "FR", "GF", "PF", "TF", "GA",
  "GM", "GE", "DE", "GH", "GI", "GR", "GL", "GD", "GP", "GU", "GT", "GG", "GN", "GW", "GY", "HT",
  "HM", "VA", "HN", "HK", "HU", "IS", "IN", "ID", "IR", "IQ", "IE", "IM", "IL", "IT", "JM", "JP",
  "JE", "JO", "KZ", "KE", "KI", "KP", "KR", "KW", "KG", "LA", "LV", "LB", "LS", "LR", "LY", "LI",
  "LT", "LU", "MO", "MK", "MG", "MW", "MY", "MV", "ML", "MT", "MH", "MQ", "MR", "MU", "YT", "MX",
  "FM", "MD", "MC", "MN", "ME", "MS", "MA", "MZ", "MM", "NA", "NR", "NP", "NL", "NC", "NZ", "NI",
  "NE", "NG", "NU", "NF", "MP", "NO", "OM", "PK", "PW", "PS", "PA", "PG", "PY", "PE", "PH", "PN",
  "PL", "PT", "PR", "QA", "RE", "RO", "RU", "RW", "BL", "SH", "KN", "LC", "MF", "PM", "VC", "WS",
  "SM", "ST", "SA", "SN", "RS", "SC", "SL", "SG", "SX", "SK", "SI", "SB", "SO", "ZA", "GS", "SS",
  "ES", "LK", "SD", "SR", "SJ", "SZ", "SE", "CH", "SY", "TW", "TJ", "TZ", "TH", "TL", "TG", "TK",
  "TO", "TT", "TN", "TR", "TM", "TC", "TV", "UG", "UA", "AE", "GB", "UM", "US", "UY", "UZ", "VU",
  "VE", "VN", "VG", "VI", "WF", "EH", "YE", "ZM", "ZW",
] as const;

/** ISO 4217 codes the API accepts in `billing_currency` (SDK `Currency`). */
export const CURRENCIES = [
  "AED", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
  "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BWP", "BYN", "BZD", "CAD", "CHF", "CLP", "CNY", "COP",
  "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ETB", "EUR", "FJD", "FKP", "GBP",
  "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS",
  "INR", "IQD", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KRW", "KWD", "KYD", "KZT", "LAK",
  "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
  "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
  "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SEK",
  "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SZL", "THB", "TND", "TOP", "TRY",
  "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD",
  "XOF", "XPF", "YER", "ZAR", "ZMW",
] as const;

/** Values the API accepts in `allowed_payment_method_types` (SDK `PaymentMethodTypes`). */
export const PAYMENT_METHOD_TYPES = [
  "ach", "affirm", "afterpay_clearpay", "alfamart", "ali_pay", "ali_pay_hk",
  "alma", "amazon_pay", "apple_pay", "atome", "bacs", "bancontact_card",
  "becs", "benefit", "bizum", "blik", "boleto", "bca_bank_transfer",
  "bni_va", "bri_va", "card_redirect", "cimb_va", "classic", "credit",
  "crypto_currency", "cashapp", "dana", "danamon_va", "debit", "duit_now",
  "efecty", "eft", "eps", "fps", "evoucher", "giropay",
  "givex", "google_pay", "go_pay", "gcash", "ideal", "interac",
  "indomaret", "klarna", "kakao_pay", "local_bank_redirect", "mandiri_va", "knet",
  "mb_way", "mobile_pay", "momo", "momo_atm", "multibanco", "online_banking_thailand",
  "online_banking_czech_republic", "online_banking_finland", "online_banking_fpx", "online_banking_poland", "online_banking_slovakia", "oxxo",
  "pago_efectivo", "permata_bank_transfer", "open_banking_uk", "pay_bright", "paypal", "paze",
  "pix", "pay_safe_card", "przelewy24", "prompt_pay", "pse", "red_compra",
  "red_pagos", "samsung_pay", "sepa", "sepa_bank_transfer", "sofort", "swish",
  "touch_n_go", "trustly", "twint", "upi_collect", "upi_intent", "vipps",
  "viet_qr", "venmo", "walley", "we_chat_pay", "seven_eleven", "lawson",
  "mini_stop", "family_mart", "seicomart", "pay_easy", "local_bank_transfer", "mifinity",
  "open_banking_pis", "direct_carrier_billing", "instant_bank_transfer", "billie", "zip", "revolut_pay",
  "naver_pay", "payco", "satispay",
] as const;
