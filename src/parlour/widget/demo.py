"""The demo shop page served at /demo: a plain product page with the widget's one-line snippet."""

import json
from html import escape

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{shop} · Parlour demo</title>
<style>
  * {{ box-sizing: border-box; }}
  body {{ margin: 0; font: 16px/1.5 Georgia, "Times New Roman", serif; color: #2b2420; background: #faf6f0; }}
  header {{ display: flex; justify-content: space-between; align-items: center; padding: 18px 40px;
           border-bottom: 1px solid #e6ddd0; background: #fff; }}
  header b {{ font-size: 22px; letter-spacing: .04em; }}
  nav a {{ margin-left: 24px; color: #2b2420; text-decoration: none; }}
  main {{ max-width: 1040px; margin: 40px auto; padding: 0 24px; display: grid;
         grid-template-columns: 1fr 1fr; gap: 48px; }}
  .photo {{ aspect-ratio: 1; border-radius: 6px;
           background: radial-gradient(circle at 35% 40%, #c98d5c 0 22%, #8c5a36 23% 30%, #e9dccb 31%); }}
  h1 {{ font-size: 34px; margin: 0 0 8px; }}
  .price {{ font-size: 24px; margin: 8px 0 20px; }}
  button.buy {{ font: inherit; padding: 12px 28px; background: #2b2420; color: #fff; border: 0;
               border-radius: 4px; cursor: pointer; }}
  .help {{ margin-top: 32px; padding: 16px; background: #fff; border: 1px solid #e6ddd0;
           border-radius: 6px; }}
  .help button {{ font: inherit; margin: 6px 8px 0 0; padding: 6px 12px; border: 1px solid #2b2420;
                 background: #fff; border-radius: 4px; cursor: pointer; }}
  @media (max-width: 720px) {{ main {{ grid-template-columns: 1fr; }} header {{ padding: 14px 16px; }} }}
</style>
</head>
<body>
<header><b>{shop}</b><nav><a href="#">Shop</a><a href="#">Journal</a><a href="#">Cart (0)</a></nav></header>
<main>
  <div class="photo" role="img" aria-label="A hand-thrown stoneware mug"></div>
  <section>
    <h1>Stoneware mug, ember glaze</h1>
    <p class="price">€28.00</p>
    <p>Thrown by hand in small batches. Holds 330&nbsp;ml, safe in the dishwasher and microwave.
       Each glaze pools a little differently, so no two mugs are quite alike.</p>
    <button class="buy" type="button">Add to cart</button>
    <div class="help">
      <p><b>Questions about your order?</b> Chat with us: the bubble in the corner opens the messenger.
         This page also drives the widget's JavaScript API:</p>
      <button type="button" onclick="parlour('messenger', 'open')">Open the messenger</button>
      <button type="button" onclick="parlour('messenger', 'close')">Close it</button>
      <button type="button" onclick="parlour('messenger', 'sendMessage',
        {{content: 'Hi! Where is my order #1042?'}})">Ask about order #1042</button>
      <button type="button" onclick="parlour('messenger:set', 'locale', 'fr')">Français</button>
      <button type="button" onclick="parlour('messenger:set', 'locale', 'en')">English</button>
    </div>
  </section>
</main>
<script>
  window.parlour = window.parlour || function () {{ (parlour.q = parlour.q || []).push(arguments); }};
  parlour('messenger:on', 'unreadMessages', function (count) {{ document.title =
    (count ? '(' + count + ') ' : '') + {title}; }});
</script>
<script src="/widget/snippet.js" data-app-id="{app_id}" async></script>
</body>
</html>
"""


def demo_page(app_id: str, shop_name: str) -> str:
    shop = escape(shop_name)
    # Inside <script>, entities are not decoded: escape what could end the element instead.
    title = json.dumps(f"{shop_name} · Parlour demo").replace("<", "\\u003c").replace(">", "\\u003e")
    return PAGE.format(shop=shop, app_id=escape(app_id), title=title)
