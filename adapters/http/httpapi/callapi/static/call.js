// The built-in video provider's call page: joins the room with the invitation
// in the URL fragment (#t=...), which the browser never sends to the server,
// through the signalling WebSocket, and connects peer to peer (WebRTC).
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const body = document.body;
  const statusEl = $('status');
  const joinBtn = $('join');
  const muteBtn = $('mute');
  const camBtn = $('camera');
  const hangBtn = $('hangup');
  const localVideo = $('local');
  const remoteVideo = $('remote');
  const peerName = $('peer-name');

  const token = new URLSearchParams(location.hash.slice(1)).get('t');
  const refusals = {
    token_invalido: 'Este convite é inválido. Abra de novo o link da consulta no aplicativo.',
    ainda_nao: 'A sala ainda não abriu: volte perto do horário da consulta.',
    expirado: 'Este convite expirou. Peça um novo link no aplicativo.',
    encerrada: 'Esta consulta foi encerrada.',
    sala_cheia: 'A chamada já tem dois participantes.',
  };

  let ws = null;
  let pc = null;
  let stream = null;
  let iceServers = [];
  let pending = [];
  let leaving = false;
  let finished = false;

  function setStatus(text, state) {
    statusEl.textContent = text;
    if (state) body.dataset.state = state;
  }
  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }
  function controls(inCall) {
    joinBtn.disabled = inCall;
    hangBtn.disabled = !inCall;
    muteBtn.disabled = !inCall || !stream || stream.getAudioTracks().length === 0;
    camBtn.disabled = !inCall || !stream || stream.getVideoTracks().length === 0;
  }

  if (!token) {
    setStatus('Convite ausente: abra o link recebido para esta consulta.', 'invalid');
    return;
  }
  setStatus('Pronto para entrar. Ao entrar, permita o acesso à câmera e ao microfone.', 'ready');
  joinBtn.disabled = false;
  joinBtn.addEventListener('click', join);
  muteBtn.addEventListener('click', () => toggle(muteBtn, stream && stream.getAudioTracks(), 'Ativar microfone', 'Desativar microfone'));
  camBtn.addEventListener('click', () => toggle(camBtn, stream && stream.getVideoTracks(), 'Ligar câmera', 'Desligar câmera'));
  hangBtn.addEventListener('click', hangUp);

  function toggle(btn, tracks, offText, onText) {
    if (!tracks || tracks.length === 0) return;
    const off = btn.getAttribute('aria-pressed') !== 'true';
    tracks.forEach((t) => { t.enabled = !off; });
    btn.setAttribute('aria-pressed', String(off));
    btn.textContent = off ? offText : onText;
  }

  async function join() {
    joinBtn.disabled = true;
    leaving = false;
    finished = false;
    setStatus('Acessando câmera e microfone…', 'media');
    stream = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch (e) {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (e2) {
        stream = null;
      }
    }
    localVideo.srcObject = stream;
    connect(stream ? '' : 'Sem câmera e microfone: você verá e ouvirá o outro participante. ');
  }

  function connect(prefix) {
    setStatus(prefix + 'Conectando…', 'connecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(proto + '//' + location.host + body.dataset.signal);
    ws.addEventListener('open', () => send({ type: 'join', token: token }));
    ws.addEventListener('message', (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      handle(m).catch(() => setStatus('Falha ao negociar a conexão com o outro participante.', 'error'));
    });
    ws.addEventListener('close', () => {
      closePeer();
      controls(false);
      if (!leaving && !finished) {
        setStatus('A conexão com o servidor caiu. Clique em "Entrar na chamada" para voltar.', 'disconnected');
      }
    });
    controls(true);
  }

  async function handle(m) {
    switch (m.type) {
      case 'joined':
        iceServers = (m.ice_servers || []).map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
        if (m.peer) {
          await startPeer(m.peer, m.offerer);
        } else {
          setStatus('Aguardando o outro participante', 'waiting');
        }
        return;
      case 'peer-joined':
        await startPeer(m.peer, m.offerer);
        return;
      case 'peer-left':
        closePeer();
        setStatus('O outro participante saiu. Aguardando o outro participante', 'waiting');
        return;
      case 'offer': {
        if (!pc) newPeer(false);
        const mine = pc;
        await mine.setRemoteDescription({ type: 'offer', sdp: m.sdp });
        await flush(mine);
        const answer = await mine.createAnswer();
        await mine.setLocalDescription(answer);
        if (mine === pc) send({ type: 'answer', sdp: mine.localDescription.sdp });
        return;
      }
      case 'answer':
        if (pc) {
          const mine = pc;
          await mine.setRemoteDescription({ type: 'answer', sdp: m.sdp });
          await flush(mine);
        }
        return;
      case 'candidate':
        if (pc && pc.remoteDescription) {
          await pc.addIceCandidate(m.candidate);
        } else {
          pending.push(m.candidate);
        }
        return;
      case 'ended':
        finish('A consulta foi encerrada.', 'ended');
        return;
      case 'expired':
        finish('O horário desta consulta terminou.', 'ended');
        return;
      case 'replaced':
        finish('Você entrou nesta chamada em outra janela.', 'replaced');
        return;
      case 'error':
        finish(refusals[m.code] || m.message || 'Erro na chamada.', 'refused');
        return;
    }
  }

  async function flush(mine) {
    const list = pending;
    pending = [];
    for (const c of list) {
      if (mine !== pc) return;
      try { await mine.addIceCandidate(c); } catch (e) { /* a stale candidate */ }
    }
  }

  async function startPeer(peer, isOfferer) {
    closePeer();
    peerName.textContent = (peer && peer.name) || 'Outro participante';
    setStatus('Conectando ao outro participante…', 'negotiating');
    newPeer(isOfferer);
    if (isOfferer) {
      const mine = pc;
      const offer = await mine.createOffer();
      await mine.setLocalDescription(offer);
      if (mine === pc) send({ type: 'offer', sdp: mine.localDescription.sdp });
    }
  }

  function newPeer(isOfferer) {
    const mine = new RTCPeerConnection({ iceServers: iceServers });
    pc = mine;
    pending = [];
    if (stream) {
      stream.getTracks().forEach((t) => mine.addTrack(t, stream));
    } else if (isOfferer) {
      mine.addTransceiver('audio', { direction: 'recvonly' });
      mine.addTransceiver('video', { direction: 'recvonly' });
    }
    mine.addEventListener('icecandidate', (e) => {
      if (e.candidate && mine === pc) send({ type: 'candidate', candidate: e.candidate.toJSON() });
    });
    mine.addEventListener('track', (e) => {
      if (mine !== pc) return;
      remoteVideo.srcObject = e.streams[0] || new MediaStream([e.track]);
    });
    mine.addEventListener('iceconnectionstatechange', () => {
      if (mine !== pc) return;
      const s = mine.iceConnectionState;
      body.dataset.ice = s;
      if (s === 'connected' || s === 'completed') {
        setStatus('Conectado', 'connected');
      } else if (s === 'disconnected') {
        setStatus('Conexão instável: tentando reconectar…', 'unstable');
      } else if (s === 'failed') {
        setStatus('Não foi possível conectar ao outro participante. Verifique sua rede.', 'failed');
        if (isOfferer) mine.restartIce();
      }
    });
  }

  function closePeer() {
    if (pc) {
      const old = pc;
      pc = null;
      old.close();
    }
    pending = [];
    remoteVideo.srcObject = null;
    body.dataset.ice = 'closed';
  }

  function stopMedia() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    localVideo.srcObject = null;
    [[muteBtn, 'Desativar microfone'], [camBtn, 'Desligar câmera']].forEach(([b, t]) => {
      b.setAttribute('aria-pressed', 'false');
      b.textContent = t;
    });
  }

  function finish(text, state) {
    finished = true;
    closePeer();
    stopMedia();
    if (ws) ws.close();
    controls(false);
    setStatus(text, state);
  }

  function hangUp() {
    leaving = true;
    send({ type: 'hangup' });
    finish('Você saiu da chamada.', 'left');
  }
})();
