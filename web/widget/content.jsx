// How each message content type is drawn. Everything the server sends is shown as text: Preact
// escapes it, links are made only from http(s) URLs, and no HTML from a message is ever parsed.

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

export function safeUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function Linkified({ text }) {
  const parts = [];
  let last = 0;
  for (const match of String(text || "").matchAll(URL_IN_TEXT)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    const href = safeUrl(match[0]);
    parts.push(
      href ? (
        <a href={href} target="_blank" rel="noopener noreferrer nofollow">
          {match[0]}
        </a>
      ) : (
        match[0]
      ),
    );
    last = match.index + match[0].length;
  }
  if (last < String(text || "").length) parts.push(text.slice(last));
  return <>{parts}</>;
}

function fileName(content) {
  if (content.altText) return content.altText;
  try {
    return decodeURIComponent(new URL(content.mediaUrl).pathname.split("/").pop()) || "file";
  } catch {
    return "file";
  }
}

export function ActionButton({ action, onAction }) {
  const href = safeUrl(action.uri);
  if (action.type === "link" || action.type === "webview") {
    if (!href) return null;
    return (
      <a class="action" href={href} target="_blank" rel="noopener noreferrer nofollow">
        {action.text}
      </a>
    );
  }
  if (action.type === "postback") {
    return (
      <button type="button" class="action" onClick={() => onAction(action)}>
        {action.text}
      </button>
    );
  }
  return null;
}

function Actions({ actions, onAction }) {
  const shown = (actions || []).filter((a) => a.type !== "reply");
  if (!shown.length) return null;
  return (
    <div class="actions">
      {shown.map((action, i) => (
        <ActionButton key={i} action={action} onAction={onAction} />
      ))}
    </div>
  );
}

function Card({ item, onAction, square }) {
  const image = safeUrl(item.mediaUrl);
  return (
    <div class="card">
      {image && <img class={square ? "square" : ""} src={image} alt={item.altText || ""} loading="lazy" />}
      <div class="card-body">
        <strong>{item.title}</strong>
        {item.description && <p>{item.description}</p>}
      </div>
      <Actions actions={item.actions} onAction={onAction} />
    </div>
  );
}

function Form({ message, content, t, onSubmitForm, answered }) {
  const submit = (event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const fields = content.fields.map((field) => {
      const value = String(data.get(field.name) || "");
      const answer = { type: field.type, name: field.name, label: field.label };
      if (field.type === "select") {
        const option = (field.options || []).find((o) => o.name === value);
        answer.select = option ? [{ name: option.name, label: option.label }] : [];
      } else answer[field.type] = value.slice(0, field.type === "email" ? 128 : 256);
      return answer;
    });
    onSubmitForm({ type: "formResponse", quotedMessageId: message.id, fields });
  };
  return (
    <form class="form" onSubmit={submit}>
      {content.fields.map((field) => (
        <label key={field.name}>
          <span>{field.label}</span>
          {field.type === "select" ? (
            <select name={field.name} required disabled={answered}>
              {(field.options || []).map((o) => (
                <option key={o.name} value={o.name}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : (
            <input
              name={field.name}
              type={field.type === "email" ? "email" : "text"}
              placeholder={field.placeholder || ""}
              minLength={field.minSize}
              maxLength={field.maxSize || (field.type === "email" ? 128 : 256)}
              required
              disabled={answered}
            />
          )}
        </label>
      ))}
      <button type="submit" class="action primary" disabled={answered}>
        {answered ? t.formSent : t.submit}
      </button>
    </form>
  );
}

export function Content({ message, t, onAction, onSubmitForm, answered }) {
  const content = message.content || {};
  switch (content.type) {
    case "text":
      return (
        <>
          <p class="text">
            <Linkified text={content.text} />
          </p>
          <Actions actions={content.actions} onAction={onAction} />
        </>
      );
    case "image": {
      const src = safeUrl(content.mediaUrl);
      return (
        <>
          {src && (
            <a href={src} target="_blank" rel="noopener noreferrer" class="image">
              <img src={src} alt={content.altText || ""} loading="lazy" />
            </a>
          )}
          {content.text && (
            <p class="text">
              <Linkified text={content.text} />
            </p>
          )}
          <Actions actions={content.actions} onAction={onAction} />
        </>
      );
    }
    case "file": {
      const href = safeUrl(content.mediaUrl);
      return (
        <>
          <a class="file" href={href || undefined} target="_blank" rel="noopener noreferrer" download>
            <span class="file-icon" aria-hidden="true">
              ⎘
            </span>
            <span class="file-name">{fileName(content)}</span>
            <span class="sr">{t.download}</span>
          </a>
          {content.text && (
            <p class="text">
              <Linkified text={content.text} />
            </p>
          )}
        </>
      );
    }
    case "carousel":
      return (
        <div class="carousel" role="list">
          {content.items.map((item, i) => (
            <div role="listitem" key={i}>
              <Card item={item} onAction={onAction} square={content.displaySettings?.imageAspectRatio === "square"} />
            </div>
          ))}
        </div>
      );
    case "list":
      return (
        <div class="list">
          <ul>
            {content.items.map((item, i) => (
              <li key={i}>
                <Card item={item} onAction={onAction} />
              </li>
            ))}
          </ul>
          <Actions actions={content.actions} onAction={onAction} />
        </div>
      );
    case "form":
      return <Form message={message} content={content} t={t} onSubmitForm={onSubmitForm} answered={answered} />;
    case "formResponse":
      return (
        <dl class="form-response">
          {content.fields.map((field, i) => (
            <div key={i}>
              <dt>{field.label}</dt>
              <dd>{field.text || field.email || (field.select || []).map((o) => o.label).join(", ")}</dd>
            </div>
          ))}
        </dl>
      );
    default:
      return <p class="text">{content.text || ""}</p>;
  }
}
