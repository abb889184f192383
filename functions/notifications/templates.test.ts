import { describe, expect, it } from 'vitest';
import { digestEmail, itemEmail, membershipApprovedEmail, membershipRequestedEmail, type Frame } from './templates.ts';

const frame: Frame = { why: "You're getting this because you're an admin of River <Co-op>.", unsubscribeUrl: 'https://moot.example/api/unsubscribe?token=abc.def', category: 'membership' };

describe('email templates', () => {
  it('renders a membership request, escaping names and rendering the introduction as safe markdown', () => {
    const email = membershipRequestedEmail({ requesterName: 'Ana <b>"Bold"</b>', groupName: 'River & Sons', introduction: 'I **cook**. <img src=x onerror=alert(1)>', url: 'https://moot.example/g/river/requests' }, frame);
    expect(email.subject).toBe('Ana <b>"Bold"</b> asked to join River & Sons');
    expect(email.html).not.toContain('<b>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('<strong>cook</strong>');
    expect(email.text).toMatchSnapshot();
    expect(email.html).toMatchSnapshot();
  });

  it('shows images in user markdown as links in email, so no remote image is loaded when it opens', () => {
    const email = itemEmail(
      { subject: 'New comment', heading: 'Budget', lead: 'Ana commented:', body: 'See ![chart](https://tracker.example/pixel.gif?id=ana)', url: 'https://moot.example/d/a.b#comment-3', action: 'Reply' },
      { ...frame, category: 'discussions' },
    );
    expect(email.html).not.toMatch(/<img\b/i);
    expect(email.html).toContain('<a href="https://tracker.example/pixel.gif?id=ana" rel="noopener noreferrer nofollow ugc">chart</a>');
    const request = membershipRequestedEmail({ requesterName: 'Ana', groupName: 'River', introduction: '![me](https://tracker.example/me.png)', url: 'https://moot.example/g/river/requests' }, frame);
    expect(request.html).not.toMatch(/<img\b/i);
  });

  it('renders a membership approval', () => {
    const email = membershipApprovedEmail({ groupName: 'River & Sons', url: 'https://moot.example/g/river' }, { ...frame, why: "You're getting this because you asked to join River & Sons." });
    expect(email.text).toMatchSnapshot();
    expect(email.html).toMatchSnapshot();
  });

  it('renders a digest grouped by group, counting what it leaves out', () => {
    const entries = [
      { title: 'Ana asked to join River', url: 'https://moot.example/g/river/requests', groupName: 'River', createdAt: '2026-01-01T00:00:00.000Z' },
      { title: 'Bo joined <Hill>', url: 'https://moot.example/g/hill/members', groupName: '<Hill>', createdAt: '2026-01-01T00:00:01.000Z' },
    ];
    const email = digestEmail({ entries, more: 3, notificationsUrl: 'https://moot.example/notifications' }, { ...frame, category: 'digest', why: "You're getting this because you asked for a daily digest." });
    expect(email.subject).toBe('5 unread notifications on Moot');
    expect(email.html).toContain('&lt;Hill&gt;');
    expect(email.text).toMatchSnapshot();
    expect(email.html).toMatchSnapshot();
  });

  it('renders an item (a mention, a poll, an outcome): escaped heading and lead, the text as safe markdown', () => {
    const email = itemEmail(
      { subject: 'Ana mentioned you in <Budget>', heading: '<Budget>', lead: 'Ana mentioned you in River & Sons:', body: 'What do you think, **@bo**? <img src=x onerror=alert(1)>', url: 'https://moot.example/d/a.b#comment-3', action: 'Reply' },
      { ...frame, category: 'mentions', why: "You're getting this because you're mentioned in “<Budget>”." },
    );
    expect(email.html).toContain('&lt;Budget&gt;');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('<strong>@bo</strong>');
    expect(email.text).toMatchSnapshot();
    expect(email.html).toMatchSnapshot();
  });
});
