// SSH's questions (trust this key? which password?) put to the person through the window.
import type { SshPrompter } from '../host/ssh/prompter';
import type { PromptBroker } from './prompt-broker';

/** An SshPrompter that asks through the broker; a refusal or a timeout cancels the login. */
export function brokerPrompter(broker: PromptBroker): SshPrompter {
  return {
    async hostKey(q) {
      const where = q.port === 22 ? q.host : `${q.host}:${q.port}`;
      const others = q.otherKnownTypes.length
        ? ` It is known by another key type (${q.otherKnownTypes.join(', ')}), not this one.`
        : '';
      const via = q.jumpFor ? ` It is the jump host on the way to ${q.jumpFor}.` : '';
      const answer = await broker.ask({
        kind: 'host-key',
        host: where,
        title: 'Unknown host key',
        message:
          `fdscope has never connected to ${where} with this key.${others}${via} ` +
          'Compare its fingerprint with the one the server\u2019s administrator gives ' +
          '(ssh-keygen -lf on the server) before you trust it.',
        fingerprint: q.fingerprint,
        keyType: q.keyType,
        fields: [],
      });
      return answer.accept;
    },
    async password(q) {
      const who = `${q.user}@${q.host}:${q.port}`;
      const what = q.purpose === 'sudo' ? `sudo on ${q.host}` : who;
      const answer = await broker.ask({
        kind: q.purpose === 'sudo' ? 'sudo-password' : 'password',
        host: who,
        title: q.purpose === 'sudo' ? 'sudo password' : 'Password',
        message:
          (q.retry ? 'That password was refused. ' : '') +
          `Password for ${what}; it is kept in memory only, for this session.`,
        fields: [{ label: 'Password', secret: true }],
      });
      return answer.accept ? answer.values[0] : null;
    },
    async passphrase(q) {
      const answer = await broker.ask({
        kind: 'passphrase',
        host: q.keyPath,
        title: 'Key passphrase',
        message:
          (q.retry ? 'That passphrase did not open the key. ' : '') +
          `The key ${q.keyPath} is encrypted; its passphrase is kept in memory only.`,
        fields: [{ label: 'Passphrase', secret: true }],
      });
      return answer.accept ? answer.values[0] : null;
    },
    async keyboardInteractive(q) {
      const answer = await broker.ask({
        kind: 'keyboard-interactive',
        host: `${q.user}@${q.host}:${q.port}`,
        title: q.name || 'The server asks',
        message: q.instructions || `${q.host} asks for more before you log in.`,
        fields: q.prompts.map((p) => ({ label: p.prompt.trim(), secret: !p.echo })),
      });
      return answer.accept ? answer.values : null;
    },
  };
}
