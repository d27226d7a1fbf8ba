// Ask a VM to power down cleanly (ACPI power button) over its QMP socket.
import { connect } from 'node:net';

/** Resolve true when QMP accepted system_powerdown; false on any error or after `ms`. */
export function qmpPowerdown(socketPath: string, ms = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(socketPath);
    let buf = '';
    let sent = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    sock.on('error', () => done(false));
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.includes('"QMP"') && sent === 0) {
          sock.write('{"execute":"qmp_capabilities"}\n');
          sent = 1;
        } else if (line.includes('"return"') && sent === 1) {
          sock.write('{"execute":"system_powerdown"}\n');
          sent = 2;
        } else if (line.includes('"return"') && sent === 2) {
          done(true);
        } else if (line.includes('"error"')) {
          done(false);
        }
      }
    });
  });
}
